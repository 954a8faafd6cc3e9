import { defineEvent } from '../registry';
import { countryCode, list, object, oneOf, text, uuid } from '../schema-parts';
import { SCAM_TYPES, ScamType } from './suspect-roles';

/** Police have identified a scam or trafficking syndicate. */
export interface SyndicateIdentified {
  syndicateId: string;
  name: string;
  scamTypes: ScamType[];
  /** Countries it operates in or recruits from. */
  countries: string[];
  /** Known compounds, call centres, recruitment offices. */
  places: string[];
}

export const SyndicateIdentified = defineEvent<SyndicateIdentified>()({
  type: 'intel.police.syndicate-identified',
  version: 1,
  schema: object({
    syndicateId: uuid,
    name: text(),
    scamTypes: list(oneOf(SCAM_TYPES), 10, 1),
    countries: list(countryCode, 30, 1),
    places: list(text(), 50),
  }),
});
