import { defineEvent } from '../registry';
import { PERSON_FIELDS, Person, object, oneOf, person, uuid } from '../schema-parts';
import { SUSPECT_ROLES, SuspectRole } from './suspect-roles';

/** Police have identified a person as a suspect, with the role they are believed to play. */
export interface SuspectIdentified {
  suspectId: string;
  syndicateId?: string;
  person: Person;
  role: SuspectRole;
}

export const SuspectIdentified = defineEvent<SuspectIdentified>()({
  type: 'intel.police.suspect-identified',
  version: 1,
  personal: [{ at: 'person', fields: PERSON_FIELDS, ref: 'suspectId' }],
  schema: object({ suspectId: uuid, person, role: oneOf(SUSPECT_ROLES) }, { syndicateId: uuid }),
});
