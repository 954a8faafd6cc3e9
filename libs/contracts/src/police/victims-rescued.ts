import { defineEvent } from '../registry';
import { Passport, countryCode, isoDate, list, object, passport, text, uuid } from '../schema-parts';

export interface RescuedPerson {
  personId: string;
  name: string;
  birthDate?: string;
  nationality: string;
  passports?: Passport[];
}

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
  schema: object(
    {
      rescueId: uuid,
      place: text(),
      country: countryCode,
      rescuedOn: isoDate,
      persons: list(
        object({ personId: uuid, name: text(), nationality: countryCode }, { birthDate: isoDate, passports: list(passport, 5) }),
        1000,
        1,
      ),
    },
    { raidId: uuid },
  ),
});
