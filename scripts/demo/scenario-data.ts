/**
 * Demo data, modelled on public reporting about Malaysians trafficked into scam call centres
 * abroad: relatives and MPs' service centres report missing job-seekers; on 17 October 2023 a
 * police raid on a house in La Molina, Lima, with the Peruvian police frees 43 Malaysians held
 * by a "Macau scam" ring (callers impersonating banks and officials); they come home through
 * KLIA; a recruiter is stopped at the airport; one "victim" turns out to be an operator.
 * Every person, passport number and birth date here is invented.
 */

export interface DemoPerson {
  name: string;
  birthDate: string;
  passport: string;
}

const MALAY_MEN = ['Amirul Hakim', 'Mohd Syafiq', 'Khairul Anuar', 'Hairi', 'Zulfadli', 'Aiman Haziq', 'Faris Irfan'];
const MALAY_WOMEN = ['Farah Nadia', 'Nor Azlina', 'Aina Sofea', 'Syazwani', 'Nur Amalina', 'Hidayah'];
const FATHERS = ['Ismail', 'Hassan', 'Abdullah', 'Rahman', 'Yusof', 'Osman', 'Ibrahim', 'Salleh'];
const CHINESE_SURNAMES = ['Tan', 'Lim', 'Wong', 'Chong', 'Ng'];
const CHINESE_GIVEN = ['Kah Seng', 'Mei Xin', 'Jun Hao', 'Wei Lun', 'Siew Peng', 'Zhi Hong'];
const INDIAN = ['Ravi a/l Subramaniam', 'Kavitha a/p Muthu', 'Suresh a/l Krishnan'];

/** The four people whose families reported them, as police recorded their names. */
const FIRST = ['Ahmad Firdaus bin Ismail', 'Nurul Izzah binti Hassan', 'Siti Aisyah binti Abdullah', 'Muhammad Hafiz bin Rahman'];

function nameOf(i: number): string {
  if (i < FIRST.length) return FIRST[i];
  if (i % 7 === 5) return `${CHINESE_SURNAMES[i % 5]} ${CHINESE_GIVEN[Math.floor(i / 7) % 6]}`;
  if (i % 13 === 9) return INDIAN[Math.floor(i / 13) % 3];
  const father = FATHERS[Math.floor(i / 2) % FATHERS.length];
  return i % 2 ? `${MALAY_WOMEN[i % 6]} binti ${father}` : `${MALAY_MEN[i % 7]} bin ${father}`;
}

function person(i: number): DemoPerson {
  const month = String(1 + ((i * 5) % 12)).padStart(2, '0');
  const day = String(1 + ((i * 7) % 28)).padStart(2, '0');
  return { name: nameOf(i), birthDate: `${1990 + (i % 12)}-${month}-${day}`, passport: `A${String(31000000 + i * 7919).padStart(8, '0')}` };
}

/** The 43 Malaysians freed in La Molina. */
export const RESCUED: DemoPerson[] = Array.from({ length: 43 }, (_, i) => person(i));

/**
 * Reports the ministry received before the raid. The first four are people among the 43,
 * reported under spellings their families use; the others are still missing elsewhere.
 */
export const REPORTS = [
  { person: { name: 'Ahmad Firdaus bin Ismail', birthDate: RESCUED[0].birthDate, nationality: 'MY' }, reportedBy: 'relative', reporter: 'mother, Ipoh', lastKnownCountry: 'PE', reportedOn: '2023-08-02', circumstances: 'left for a customer-service job in Lima advertised on social media' },
  { person: { name: 'Nurul Izah binti Hassan', birthDate: RESCUED[1].birthDate, nationality: 'MY' }, reportedBy: 'mp-office', reporter: 'Beruas MP service centre', lastKnownCountry: 'PE', reportedOn: '2023-08-21' },
  { person: { name: 'Abdullah Siti Aisyah', birthDate: RESCUED[2].birthDate, nationality: 'MY', passports: [{ number: RESCUED[2].passport, country: 'MY' }] }, reportedBy: 'relative', reporter: 'brother, Kuala Lumpur', lastKnownCountry: 'PE', reportedOn: '2023-09-05' },
  { person: { name: 'Mohammad Hafiz bin Rahman', birthDate: RESCUED[3].birthDate, nationality: 'MY' }, reportedBy: 'self', lastKnownCountry: 'PE', reportedOn: '2023-09-30', circumstances: 'sent a message from a borrowed phone' },
  { person: { name: 'Muhammad Danial bin Zulkifli', birthDate: '1997-04-18', nationality: 'MY' }, reportedBy: 'relative', reporter: 'father, Johor Bahru', lastKnownCountry: 'KH', reportedOn: '2023-07-11', circumstances: 'job offer in Sihanoukville' },
  { person: { name: 'Tan Siew Mei', birthDate: '1995-12-01', nationality: 'MY' }, reportedBy: 'ngo', reporter: 'migrant-support NGO', lastKnownCountry: 'MM', reportedOn: '2023-09-14', circumstances: 'taken across the Thai border to Myawaddy' },
] as const;

/** Index in RESCUED of the person police later identify as an operator of the ring. */
export const OPERATOR_INDEX = 6;

/** Rescued people who are not yet flown home when the demo ends. */
export const NOT_YET_RETURNED = [40, 41, 42];

export const RECRUITER = {
  name: 'Mohd Razak bin Othman',
  aliases: ['Abang Razak'],
  birthDate: '1979-05-23',
  nationality: 'MY',
  passports: [{ number: 'A 2817 6645', country: 'MY' }],
};
