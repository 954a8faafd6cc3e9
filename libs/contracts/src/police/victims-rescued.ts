import { defineEvent } from '../registry';
import { Withheld, personalPart } from '../personal-data';
import { Passport, countryCode, isoDate, list, object, passport, text, uuid } from '../schema-parts';

export interface RescuedPersonDetails {
  personId: string;
  name: string;
  birthDate?: string;
  nationality: string;
  passports?: Passport[];
}
export const RESCUED_PERSON_FIELDS = ['name', 'birthDate', 'passports'] as const;
/** A rescued person: their details, or their id and nationality when the rest is redacted or erased. */
export type RescuedPerson = RescuedPersonDetails | (Withheld & Pick<RescuedPersonDetails, 'personId' | 'nationality'>);

/** Persons freed in a raid or rescue, with what is known of their identity. */
export interface VictimsRescued {
  rescueId: string;
  raidId?: string;
  place: string;
  country: string;
  rescuedOn: string;
  persons: RescuedPerson[];
}

export const VictimsRescued = defineEvent<VictimsRescued>()({
  type: 'intel.police.victims-rescued',
  version: 1,
  personal: [{ at: 'persons[]', fields: RESCUED_PERSON_FIELDS, ref: 'personId' }],
  schema: object(
    {
      rescueId: uuid,
      place: text(),
      country: countryCode,
      rescuedOn: isoDate,
      persons: list(
        personalPart(
          object({ personId: uuid, name: text(), nationality: countryCode }, { birthDate: isoDate, passports: list(passport, 5) }),
          RESCUED_PERSON_FIELDS,
        ),
        1000,
        1,
      ),
    },
    { raidId: uuid },
  ),
});
