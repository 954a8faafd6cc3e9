import { defineEvent } from '../registry';
import { AgencyRef, DIRECTIONS, Direction, MATCH_FIELDS, MatchInfo, TRAVELLER_FIELDS, Traveller, agencyRef, matchInfo, object, oneOf, text, timestamp, traveller, uuid } from '../schema-parts';

/** A traveller passed a checkpoint (e.g. KLIA, Bukit Kayu Hitam). */
export interface BorderCrossingRecorded {
  crossingId: string;
  traveller: Traveller;
  direction: Direction;
  checkpoint: string;
  crossedAt: string;
}
export const BorderCrossingRecorded = defineEvent<BorderCrossingRecorded>()({
  type: 'intel.immigration.border-crossing-recorded',
  version: 1,
  personal: [{ at: 'traveller', fields: TRAVELLER_FIELDS, ref: 'crossingId' }],
  schema: object({ crossingId: uuid, traveller, direction: oneOf(DIRECTIONS), checkpoint: text(80), crossedAt: timestamp }),
});

/** A crossing matched a watchlist entry; an officer must confirm or dismiss it. */
export interface BorderAlertRaised {
  alertId: string;
  crossingId: string;
  entryId: string;
  suspect?: AgencyRef;
  traveller: Traveller;
  direction: Direction;
  checkpoint: string;
  crossedAt: string;
  match: MatchInfo;
}
export const BorderAlertRaised = defineEvent<BorderAlertRaised>()({
  type: 'intel.immigration.border-alert-raised',
  version: 1,
  // Keyed by the crossing: erasing the traveller's crossing erases the alert's copy with it.
  personal: [
    { at: 'traveller', fields: TRAVELLER_FIELDS, ref: 'crossingId' },
    { at: 'match', fields: MATCH_FIELDS, ref: 'crossingId' },
  ],
  schema: object(
    {
      alertId: uuid,
      crossingId: uuid,
      entryId: uuid,
      traveller,
      direction: oneOf(DIRECTIONS),
      checkpoint: text(80),
      crossedAt: timestamp,
      match: matchInfo,
    },
    { suspect: agencyRef },
  ),
});

export interface BorderAlertConfirmed {
  alertId: string;
  suspect?: AgencyRef;
  note?: string;
}
export const BorderAlertConfirmed = defineEvent<BorderAlertConfirmed>()({
  type: 'intel.immigration.border-alert-confirmed',
  version: 1,
  schema: object({ alertId: uuid }, { suspect: agencyRef, note: text(500) }),
});

export interface BorderAlertDismissed {
  alertId: string;
  suspect?: AgencyRef;
  reason: string;
}
export const BorderAlertDismissed = defineEvent<BorderAlertDismissed>()({
  type: 'intel.immigration.border-alert-dismissed',
  version: 1,
  schema: object({ alertId: uuid, reason: text(500) }, { suspect: agencyRef }),
});
