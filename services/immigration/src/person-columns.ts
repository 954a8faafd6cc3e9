import { Person, Traveller, isWithheldPart } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';

/**
 * The columns a read model keeps of a person it matches travellers against, passports indexed as
 * the matcher compares them. A withheld (erased) person keeps only their nationality.
 */
export function personColumns(person: Person) {
  if (isWithheldPart(person)) {
    return { name: null, aliases: [], birthDate: null, nationality: person.nationality ?? null, passports: [], passportKeys: [], personalData: person.withheld };
  }
  return {
    name: person.name,
    aliases: person.aliases ?? [],
    birthDate: person.birthDate ?? null,
    nationality: person.nationality ?? null,
    passports: person.passports ?? [],
    passportKeys: (person.passports ?? []).map((p) => normalisePassport(p.number)),
    personalData: 'disclosed' as const,
  };
}

/** What erasing a person record leaves of these columns. */
export const ERASED_PERSON_COLUMNS = { name: null, aliases: [], birthDate: null, passports: [], passportKeys: [], personalData: 'erased' as const };

/** The columns a read model keeps of a traveller at a checkpoint; a withheld one keeps their nationality. */
export function travellerColumns(traveller: Traveller) {
  if (isWithheldPart(traveller)) {
    return { name: null, birthDate: null, nationality: traveller.nationality, passportNumber: null, passportCountry: null, personalData: traveller.withheld };
  }
  return {
    name: traveller.name,
    birthDate: traveller.birthDate,
    nationality: traveller.nationality,
    passportNumber: traveller.passport.number,
    passportCountry: traveller.passport.country,
    personalData: 'disclosed' as const,
  };
}

export const ERASED_TRAVELLER_COLUMNS = { name: null, birthDate: null, passportNumber: null, passportCountry: null, personalData: 'erased' as const };
