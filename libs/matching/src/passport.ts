/** Unicode dashes are included because passport numbers are often pasted from word processors. */
const PASSPORT_NOISE = /[\s\-.\u2010-\u2015\u2212]/g;

/** Upper-case and strip spaces, dashes and dots: "a 1234-567" -> "A1234567". */
export function normalisePassport(number: string): string {
  if (typeof number !== 'string') return '';
  // NFKC folds full-width letters and digits typed with Asian input methods onto ASCII.
  return number.normalize('NFKC').replace(PASSPORT_NOISE, '').toUpperCase();
}

/** Country codes are compared case-insensitively; blank means "not given". */
export function normaliseCountry(country: string | undefined): string | undefined {
  if (typeof country !== 'string') return undefined;
  const trimmed = country.trim().toUpperCase();
  return trimmed === '' ? undefined : trimmed;
}
