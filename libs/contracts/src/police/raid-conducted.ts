import { defineEvent } from '../registry';
import { countryCode, isoDate, object, text, uuid } from '../schema-parts';

/** A raid on a compound or house, often with a partner country's police. */
export interface RaidConducted {
  raidId: string;
  place: string;
  city?: string;
  country: string;
  conductedOn: string;
  /** e.g. "Policía Nacional del Perú". */
  partnerAgency?: string;
  syndicateId?: string;
}

export const RaidConducted = defineEvent<RaidConducted>()({
  type: 'intel.police.raid-conducted',
  version: 1,
  schema: object(
    { raidId: uuid, place: text(), country: countryCode, conductedOn: isoDate },
    { city: text(), partnerAgency: text(), syndicateId: uuid },
  ),
});
