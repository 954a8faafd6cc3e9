const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** A country's English name from its ISO 3166-1 alpha-2 code ("PE" -> "Peru"); the text itself otherwise. */
export function countryName(code: unknown): string {
  if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code)) return typeof code === 'string' ? code : 'an unknown country';
  try {
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
}
