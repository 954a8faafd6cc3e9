import { Person } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';

/** The columns a read model keeps of a person it matches travellers against, passports indexed as the matcher compares them. */
export function personColumns(person: Person) {
  return {
    name: person.name,
    aliases: person.aliases ?? [],
    birthDate: person.birthDate ?? null,
    nationality: person.nationality ?? null,
    passports: person.passports ?? [],
    passportKeys: (person.passports ?? []).map((p) => normalisePassport(p.number)),
  };
}
