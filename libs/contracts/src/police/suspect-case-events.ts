import { defineEvent } from '../registry';
import { Classification, TLP } from '../markings';
import { agencyId, countryCode, isoDate, list, object, oneOf, text, uuid } from '../schema-parts';
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

/**
 * Police changed who may hold what they know of a suspect. It goes to every partner that may
 * have received the suspect, so those that lost access delete what they hold; it carries ids only.
 */
export interface SuspectMarkingChanged {
  suspectId: string;
  classification: Classification;
  /** Agency ids that may receive the suspect's events from now on. */
  releasableTo: string[];
  reason: string;
}
export const SuspectMarkingChanged = defineEvent<SuspectMarkingChanged>()({
  type: 'intel.police.suspect-marking-changed',
  version: 1,
  schema: object({ suspectId: uuid, classification: oneOf(TLP), releasableTo: list(agencyId, 20), reason: text(500) }),
});
