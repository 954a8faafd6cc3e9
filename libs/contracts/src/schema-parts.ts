import { Withheld, personalPart } from './personal-data';

/**
 * Building blocks of the payload schemas. Every object schema refuses unknown fields, so a
 * payload either matches its contract exactly or is rejected with the field named.
 */
type Schema = Record<string, unknown>;

export function object(required: Record<string, Schema>, optional: Record<string, Schema> = {}): Schema {
  return {
    type: 'object',
    required: Object.keys(required),
    additionalProperties: false,
    properties: { ...required, ...optional },
  };
}

export const text = (maxLength = 200): Schema => ({ type: 'string', minLength: 1, maxLength });
export const list = (items: Schema, maxItems = 50, minItems = 0): Schema => ({ type: 'array', items, minItems, maxItems });
export const oneOf = <T extends readonly string[]>(values: T): Schema => ({ enum: [...values] });

export const uuid: Schema = { type: 'string', format: 'uuid' };
export const countryCode: Schema = { type: 'string', pattern: '^[A-Z]{2}$' };
export const isoDate: Schema = { type: 'string', format: 'date' };
export const timestamp: Schema = { type: 'string', format: 'date-time' };
export const agencyId: Schema = { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 40 };
export const score: Schema = { type: 'number', minimum: 0, maximum: 1 };

export interface Passport {
  number: string;
  /** Issuing country, ISO 3166-1 alpha-2. */
  country: string;
}
export const passport: Schema = object({ number: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 .-]{3,23}$' }, country: countryCode });

/** A person as agencies exchange them, when the reader may see their personal data. */
export interface PersonDetails {
  name: string;
  aliases?: string[];
  /** YYYY-MM-DD */
  birthDate?: string;
  nationality?: string;
  passports?: Passport[];
}
/** A person's personal fields: sealed under the person record's key, withheld from readers without it. */
export const PERSON_FIELDS = ['name', 'aliases', 'birthDate', 'passports'] as const;
/** A person in a payload: their details, or what is left when they are redacted or erased. */
export type Person = PersonDetails | (Withheld & Pick<PersonDetails, 'nationality'>);
export const person: Schema = personalPart(
  object({ name: text() }, { aliases: list(text(), 20), birthDate: isoDate, nationality: countryCode, passports: list(passport, 10) }),
  PERSON_FIELDS,
);

/** Another agency's record, e.g. the police suspect an immigration alert is about. */
export interface AgencyRef {
  agency: string;
  id: string;
  /** The event that told us, so a reader can follow causation across agencies. */
  eventId?: string;
}
export const agencyRef: Schema = object({ agency: agencyId, id: uuid }, { eventId: uuid });

export const MATCH_REASONS = ['passport', 'name-and-birth-date'] as const;
export type MatchReason = (typeof MATCH_REASONS)[number];
export interface MatchDetails {
  reason: MatchReason;
  score: number;
  /** Says which names, dates and passport numbers agreed: personal data of both records. */
  explanation: string;
}
export const MATCH_FIELDS = ['explanation'] as const;
/** How two records were matched; a reader without the data key sees only the reason and the score. */
export type MatchInfo = MatchDetails | (Withheld & Pick<MatchDetails, 'reason' | 'score'>);
export const matchInfo: Schema = personalPart(object({ reason: oneOf(MATCH_REASONS), score, explanation: text(1000) }), MATCH_FIELDS);

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** A traveller as a passport reader sees them at a checkpoint. */
export interface TravellerDetails {
  name: string;
  birthDate: string;
  nationality: string;
  passport: Passport;
}
export const TRAVELLER_FIELDS = ['name', 'birthDate', 'passport'] as const;
export type Traveller = TravellerDetails | (Withheld & Pick<TravellerDetails, 'nationality'>);
export const traveller: Schema = personalPart(object({ name: text(), birthDate: isoDate, nationality: countryCode, passport }), TRAVELLER_FIELDS);
