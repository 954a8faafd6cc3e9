import { defineEvent } from './registry';
import { agencyId, list, object, text, uuid } from './schema-parts';

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

/**
 * An agency erased a person record's personal data on a lawful request: the record's data key is
 * destroyed, so every sealed copy of it (in stores, on topics, in archives) reads as erased.
 * Recipients destroy the copy of the key they hold and erase what they derived from the record.
 */
export interface PersonalDataErased {
  /** The person record (the id its data key has, e.g. a suspect or a case id). */
  ref: string;
  /** The lawful basis and request, e.g. "GDPR art. 17 request 2026-114". */
  reason: string;
  /** For a cascade: the partner's erasure this one follows from. */
  because?: { agency: string; ref: string };
}

const erasedSchema = object({ ref: uuid, reason: text(500) }, { because: object({ agency: agencyId, ref: uuid }) });

export const PoliceDataErased = defineEvent<PersonalDataErased>()({ type: 'intel.police.personal-data-erased', version: 1, schema: erasedSchema });
export const ImmigrationDataErased = defineEvent<PersonalDataErased>()({ type: 'intel.immigration.personal-data-erased', version: 1, schema: erasedSchema });
export const ForeignMinistryDataErased = defineEvent<PersonalDataErased>()({
  type: 'intel.foreign-ministry.personal-data-erased',
  version: 1,
  schema: erasedSchema,
});

export const PERSONAL_DATA_ERASED_TYPES: Record<'police' | 'immigration' | 'foreign-ministry', string> = {
  police: PoliceDataErased.type,
  immigration: ImmigrationDataErased.type,
  'foreign-ministry': ForeignMinistryDataErased.type,
};

/** Whether an event type is some agency's erasure of a person record. */
export function isErasureType(type: string): boolean {
  return /^intel\.[a-z0-9-]+\.personal-data-erased$/.test(type);
}
