import { defineEvent } from './registry';
import { list, object, text } from './schema-parts';

/** Someone read personal data through an agency's API: who, what, when (the event's time), and why. */
export interface PersonalDataRead {
  /** The reader's user name (the actor is `<agency>/<user>`). */
  user: string;
  /** What was read, e.g. `suspects`. */
  resource: string;
  /** The request path and query. */
  request: string;
  /** The purpose the reader stated. */
  purpose: string;
  /** How many records the answer held, and the ids of the first ones. */
  records: number;
  ids: string[];
}

const schema = object({
  user: text(64),
  resource: text(80),
  request: text(2000),
  purpose: text(500),
  records: { type: 'integer', minimum: 0 },
  ids: list(text(200), 100),
});

/** The access log is kept per agency role, as every type is named after the role that publishes it. */
export const PoliceDataRead = defineEvent<PersonalDataRead>()({ type: 'intel.police.personal-data-read', version: 1, schema });
export const ImmigrationDataRead = defineEvent<PersonalDataRead>()({ type: 'intel.immigration.personal-data-read', version: 1, schema });
export const ForeignMinistryDataRead = defineEvent<PersonalDataRead>()({ type: 'intel.foreign-ministry.personal-data-read', version: 1, schema });

export const PERSONAL_DATA_READ_TYPES: Record<'police' | 'immigration' | 'foreign-ministry', string> = {
  police: PoliceDataRead.type,
  immigration: ImmigrationDataRead.type,
  'foreign-ministry': ForeignMinistryDataRead.type,
};
