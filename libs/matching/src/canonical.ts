export interface CanonicalisationRule {
  readonly pattern: RegExp;
  readonly replacement: string;
}

/**
 * Transliteration rules, applied in this order to every upper-cased name token of both records, so
 * two spellings of the same name end up as the same string. Order matters: whole-token variants come
 * first so the generic rules see a single spelling, and doubled letters are collapsed only after the
 * vowel rules that look at pairs (OO, EE).
 *
 * The RegExp objects are shared between calls; that is safe because they are only used through
 * String#replace, which resets lastIndex, so the table carries no state from one call to the next.
 */
export const CANONICALISATION_RULES: readonly CanonicalisationRule[] = Object.freeze([
  // Muhammad: Malay abbreviations (MOHD, MHD, MUHD), the Bangladeshi "MD" and the Arabic, English
  // and French romanisations all turn up on documents of the same person.
  {
    pattern: /^(?:MUHAMMAD|MUHAMAD|MUHAMMED|MUHAMED|MOHAMMAD|MOHAMAD|MOHAMMED|MOHAMED|MOHD|MHD|MUHD|MD)$/,
    replacement: 'MUHAMMAD',
  },
  // Abdul ("servant of"): ABD is the strict romanisation, ABDUL the everyday one.
  { pattern: /^(?:ABD|ABDUL)$/, replacement: 'ABDUL' },
  // Nur ("light"): Malaysian registries write NOR and NUR for the same name.
  { pattern: /^(?:NUR|NOR|NOOR|NOUR)$/, replacement: 'NUR' },
  // Yusuf: Malay -OF/-OFF endings and the French OU spelling.
  { pattern: /^(?:YUSUF|YUSOF|YUSOFF|YUSSUF|YOUSUF|YOUSOF|YOUSEF|YOUSSEF)$/, replacement: 'YUSUF' },
  // Syed (descendant of the Prophet): South Asian and Arabic romanisations.
  { pattern: /^(?:SYED|SAYED|SAYID|SAYYID|SAIYID)$/, replacement: 'SYED' },
  // PH and F are the same sound (JOSEPH/JOSEF, Vietnamese PHAM/FAM).
  { pattern: /PH/g, replacement: 'F' },
  // Malay writes the Arabic dhal as DZ or Z (DZULKIFLI/ZULKIFLI).
  { pattern: /DZ/g, replacement: 'Z' },
  // The Arabic kha is romanised KH or K (KHAIRUL/KAIRUL).
  { pattern: /KH/g, replacement: 'K' },
  // Initial TH is an aspirated T in Thai and Vietnamese romanisation (THANH/TANH).
  { pattern: /^TH/, replacement: 'T' },
  // Malay spelled the Arabic shin SY before the 1972 reform and SH in many documents since (SYAFIQ/SHAFIQ, AISYAH/AISHAH).
  { pattern: /SY/g, replacement: 'SH' },
  // The Arabic qaf is romanised Q or K (SHAFIQ/SHAFIK, QASIM/KASIM).
  { pattern: /Q/g, replacement: 'K' },
  // French-influenced spellings in Cambodia, Laos and Vietnam write U as OU (NOUR/NUR, LOUIS/LUIS).
  { pattern: /OU/g, replacement: 'U' },
  // English-style spellings write U as OO (YOOSUF/YUSUF, KHOO/KHU).
  { pattern: /OO/g, replacement: 'U' },
  // English-style spellings write I as EE (NADEEM/NADIM, LEE/LI).
  { pattern: /EE/g, replacement: 'I' },
  // Y between consonants or at the end is the vowel I (LYNN/LINN, HENRY/HENRI).
  { pattern: /(?<=[B-DF-HJ-NP-TV-XZ])Y(?=[B-DF-HJ-NP-TV-XZ])|Y$/g, replacement: 'I' },
  // Doubled letters mark gemination in Arabic and are written or not at will (HASSAN/HASAN, ABDULLAH/ABDULAH).
  { pattern: /([A-Z])\1+/g, replacement: '$1' },
  // A final H after a vowel is the silent Arabic ta marbuta or a Malay spelling habit (ABDULLAH/ABDULLA, AISYAH/AISYA).
  { pattern: /(?<=[AEIOU])H$/, replacement: '' },
]);

/** Applies the rules above to one upper-cased token. */
export function canonicaliseToken(token: string): string {
  let out = token;
  for (const rule of CANONICALISATION_RULES) out = out.replace(rule.pattern, rule.replacement);
  return out;
}
