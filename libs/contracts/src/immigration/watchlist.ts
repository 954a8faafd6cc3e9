import { defineEvent } from '../registry';
import { AgencyRef, PERSON_FIELDS, Person, agencyRef, object, oneOf, person, text, uuid } from '../schema-parts';
import { SUSPECT_ROLES, SuspectRole } from '../police/suspect-roles';

/** A person immigration must look out for at every checkpoint. */
export interface WatchlistEntryAdded {
  entryId: string;
  person: Person;
  reason: string;
  role?: SuspectRole;
  /** The police suspect behind the entry when a policy added it; absent for entries added by hand. */
  suspect?: AgencyRef;
}
export const WatchlistEntryAdded = defineEvent<WatchlistEntryAdded>()({
  type: 'intel.immigration.watchlist-entry-added',
  version: 1,
  personal: [{ at: 'person', fields: PERSON_FIELDS, ref: 'entryId' }],
  schema: object({ entryId: uuid, person, reason: text(500) }, { role: oneOf(SUSPECT_ROLES), suspect: agencyRef }),
});

export interface WatchlistEntryAmended {
  entryId: string;
  role: SuspectRole;
  reason: string;
}
export const WatchlistEntryAmended = defineEvent<WatchlistEntryAmended>()({
  type: 'intel.immigration.watchlist-entry-amended',
  version: 1,
  schema: object({ entryId: uuid, role: oneOf(SUSPECT_ROLES), reason: text(500) }),
});

export interface WatchlistEntryLifted {
  entryId: string;
  reason: string;
}
export const WatchlistEntryLifted = defineEvent<WatchlistEntryLifted>()({
  type: 'intel.immigration.watchlist-entry-lifted',
  version: 1,
  schema: object({ entryId: uuid, reason: text(500) }),
});

/** The owner of the suspect took back immigration's access: the entry and its personal data go. */
export interface WatchlistEntryWithdrawn {
  entryId: string;
  reason: string;
}
export const WatchlistEntryWithdrawn = defineEvent<WatchlistEntryWithdrawn>()({
  type: 'intel.immigration.watchlist-entry-withdrawn',
  version: 1,
  schema: object({ entryId: uuid, reason: text(500) }),
});
