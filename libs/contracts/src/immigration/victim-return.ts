import { defineEvent } from '../registry';
import { AgencyRef, MATCH_FIELDS, MatchInfo, PERSON_FIELDS, Person, TRAVELLER_FIELDS, Traveller, agencyRef, isoDate, matchInfo, object, person, text, timestamp, traveller, uuid } from '../schema-parts';

/** The foreign ministry arranged a victim's repatriation: checkpoints watch for their arrival. */
export interface ReturnExpected {
  expectationId: string;
  /** The ministry's victim case. */
  case: AgencyRef;
  person: Person;
  expectedOn: string;
  checkpoint?: string;
}
export const ReturnExpected = defineEvent<ReturnExpected>()({
  type: 'intel.immigration.return-expected',
  version: 1,
  personal: [{ at: 'person', fields: PERSON_FIELDS, ref: 'expectationId' }],
  schema: object({ expectationId: uuid, case: agencyRef, person, expectedOn: isoDate }, { checkpoint: text(80) }),
});

/** A rescued victim entered the country: released to the foreign ministry to close the loop. */
export interface VictimReturnRecorded {
  expectationId: string;
  crossingId: string;
  case: AgencyRef;
  traveller: Traveller;
  checkpoint: string;
  crossedAt: string;
  match: MatchInfo;
}
export const VictimReturnRecorded = defineEvent<VictimReturnRecorded>()({
  type: 'intel.immigration.victim-return-recorded',
  version: 1,
  personal: [
    { at: 'traveller', fields: TRAVELLER_FIELDS, ref: 'crossingId' },
    { at: 'match', fields: MATCH_FIELDS, ref: 'crossingId' },
  ],
  schema: object({
    expectationId: uuid,
    crossingId: uuid,
    case: agencyRef,
    traveller,
    checkpoint: text(80),
    crossedAt: timestamp,
    match: matchInfo,
  }),
});
