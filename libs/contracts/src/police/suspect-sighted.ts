import { defineEvent } from '../registry';
import { AgencyRef, DIRECTIONS, Direction, MATCH_FIELDS, MatchInfo, agencyRef, matchInfo, object, oneOf, text, timestamp, uuid } from '../schema-parts';

/** Immigration saw a watchlisted suspect at a border; police record where and when. */
export interface SuspectSighted {
  suspectId: string;
  checkpoint: string;
  direction: Direction;
  seenAt: string;
  match: MatchInfo;
  /** The immigration alert that reported it. */
  alert: AgencyRef;
}
export const SuspectSighted = defineEvent<SuspectSighted>()({
  type: 'intel.police.suspect-sighted',
  version: 1,
  personal: [{ at: 'match', fields: MATCH_FIELDS, ref: 'suspectId' }],
  schema: object({ suspectId: uuid, checkpoint: text(80), direction: oneOf(DIRECTIONS), seenAt: timestamp, match: matchInfo, alert: agencyRef }),
});

/** Immigration dismissed the alert behind a sighting: it was somebody else. */
export interface SightingWithdrawn {
  suspectId: string;
  alert: AgencyRef;
  reason: string;
}
export const SightingWithdrawn = defineEvent<SightingWithdrawn>()({
  type: 'intel.police.sighting-withdrawn',
  version: 1,
  schema: object({ suspectId: uuid, alert: agencyRef, reason: text(500) }),
});
