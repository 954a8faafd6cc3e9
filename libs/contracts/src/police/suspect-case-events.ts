import { defineEvent } from '../registry';
import { countryCode, isoDate, object, oneOf, text, uuid } from '../schema-parts';
import { SUSPECT_ROLES, SuspectRole } from './suspect-roles';

/** What happens to a suspect after identification: arrest, charge, verdict, a change of role. */
export interface SuspectArrested {
  suspectId: string;
  arrestedOn: string;
  place: string;
  country: string;
}
export const SuspectArrested = defineEvent<SuspectArrested>()({
  type: 'intel.police.suspect-arrested',
  version: 1,
  schema: object({ suspectId: uuid, arrestedOn: isoDate, place: text(), country: countryCode }),
});

export interface SuspectCharged {
  suspectId: string;
  /** The statute, e.g. "ATIPSOM 2007" (Anti-Trafficking in Persons and Anti-Smuggling of Migrants Act). */
  law: string;
  section: string;
  chargedOn: string;
  court?: string;
}
export const SuspectCharged = defineEvent<SuspectCharged>()({
  type: 'intel.police.suspect-charged',
  version: 1,
  schema: object({ suspectId: uuid, law: text(), section: text(40), chargedOn: isoDate }, { court: text() }),
});

export interface SuspectConvicted {
  suspectId: string;
  convictedOn: string;
  sentence: string;
}
export const SuspectConvicted = defineEvent<SuspectConvicted>()({
  type: 'intel.police.suspect-convicted',
  version: 1,
  schema: object({ suspectId: uuid, convictedOn: isoDate, sentence: text(500) }),
});

export interface SuspectCleared {
  suspectId: string;
  clearedOn: string;
  reason: string;
}
export const SuspectCleared = defineEvent<SuspectCleared>()({
  type: 'intel.police.suspect-cleared',
  version: 1,
  schema: object({ suspectId: uuid, clearedOn: isoDate, reason: text(500) }),
});

export interface SuspectRoleChanged {
  suspectId: string;
  from: SuspectRole;
  to: SuspectRole;
  reason: string;
}
export const SuspectRoleChanged = defineEvent<SuspectRoleChanged>()({
  type: 'intel.police.suspect-role-changed',
  version: 1,
  schema: object({ suspectId: uuid, from: oneOf(SUSPECT_ROLES), to: oneOf(SUSPECT_ROLES), reason: text(500) }),
});
