import { canonicaliseToken } from './canonical';

export interface NameTokens {
  /** Upper-cased, diacritics stripped, particles dropped: what the officer sees in an explanation. */
  readonly raw: readonly string[];
  /** `raw` after the canonicalisation rules: what is compared. */
  readonly canon: readonly string[];
}

/** Latin letters that NFKD leaves whole because they are distinct letters rather than letter + accent. */
const LATIN_LETTER_FOLDS: Readonly<Record<string, string>> = Object.freeze({
  Đ: 'D', đ: 'D', Ø: 'O', ø: 'O', Ł: 'L', ł: 'L', Ħ: 'H', ħ: 'H', ı: 'I', Þ: 'TH', þ: 'TH', Æ: 'AE', æ: 'AE', Œ: 'OE', œ: 'OE',
});
const LATIN_LETTER_FOLD = /[ĐđØøŁłĦħıÞþÆæŒœ]/g;
// Only marks on Latin letters are dropped: Thai, Khmer and Burmese vowels are combining marks too, and
// stripping them would make different names in those scripts collide.
const LATIN_DIACRITICS = /(?<=\p{Script=Latin})\p{M}+/gu;

// Indian patronymics written with a slash (anak lelaki / anak perempuan, son of / daughter of) have to
// go before splitting on "/", which would otherwise leave initials "A" and "L" behind.
const SLASH_PARTICLES = /(^|[\s,.;()\-])(?:A\s*\/\s*[LP]|[SD]\s*\/\s*O)(?=$|[\s,.;()\-])/g;
const SEPARATORS = /[\s,\-/.;:()[\]\u2010-\u2015]+/;
// Apostrophes and stray punctuation are removed rather than split on, so DATO' is DATO and D'SOUZA one token.
const NON_NAME_CHARS = /[^\p{L}\p{N}\p{M}]+/gu;

const HONORIFICS: ReadonlySet<string> = new Set([
  'DATUK', 'DATO', 'DATIN', 'HAJI', 'HJ', 'HAJJAH', 'HAJAH', 'HJH', 'MR', 'MRS', 'MS', 'MISS', 'MDM', 'MADAM', 'DR', 'ENCIK', 'PUAN',
]);
/** Malaysian titles that take SRI/SERI as a second word (Datuk Seri, Puan Sri); SRI alone is a common given name. */
const TITLES_TAKING_SRI: ReadonlySet<string> = new Set(['DATUK', 'DATO', 'DATIN', 'PUAN']);
const CONNECTORS: ReadonlySet<string> = new Set(['BIN', 'BINTI', 'BINTE', 'BT', 'BTE', 'BN', 'B', 'AL', 'AP']);

/** Canonical tokens of a name: what two names are compared on. */
export function normaliseName(name: string): string[] {
  return tokeniseName(name).canon;
}

export function tokeniseName(name: string): { raw: string[]; canon: string[] } {
  const words = splitWords(typeof name === 'string' ? name : '');
  const raw = dropConnectors(dropHonorifics(words));
  return { raw, canon: raw.map(canonicaliseToken) };
}

function splitWords(name: string): string[] {
  const folded = name
    .normalize('NFKD')
    .replace(LATIN_DIACRITICS, '')
    .replace(LATIN_LETTER_FOLD, (letter) => LATIN_LETTER_FOLDS[letter] ?? letter)
    .toUpperCase()
    .replace(SLASH_PARTICLES, '$1 ');
  const words: string[] = [];
  for (const part of folded.split(SEPARATORS)) {
    const word = part.replace(NON_NAME_CHARS, '');
    if (word !== '') words.push(word);
  }
  return words;
}

function dropHonorifics(words: string[]): string[] {
  const kept: string[] = [];
  let afterSriTitle = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = words[i + 1];
    if (word === 'TAN' && (next === 'SRI' || next === 'SERI')) {
      // "Tan Sri" is a title, but TAN on its own is one of the commonest Chinese surnames.
      i++;
      afterSriTitle = false;
    } else if ((word === 'SRI' || word === 'SERI') && afterSriTitle) {
      afterSriTitle = false;
    } else if (HONORIFICS.has(word)) {
      afterSriTitle = TITLES_TAKING_SRI.has(word);
    } else {
      kept.push(word);
      afterSriTitle = false;
    }
  }
  return kept;
}

/**
 * BIN, BINTI etc. join a person's name to the father's. Between two names they are dropped. At the start
 * or end of a name next to a real name they are kept, because BIN is also a Chinese given name ("WANG BIN")
 * and dropping it there would leave a single token that can never match.
 */
function dropConnectors(words: string[]): string[] {
  const last = words.length - 1;
  const kept: string[] = [];
  for (let i = 0; i <= last; i++) {
    const word = words[i];
    if (!CONNECTORS.has(word)) {
      kept.push(word);
      continue;
    }
    const nameBefore = i > 0 && !CONNECTORS.has(words[i - 1]);
    const nameAfter = i < last && !CONNECTORS.has(words[i + 1]);
    if ((i === 0 && nameAfter) || (i === last && nameBefore)) kept.push(word);
  }
  return kept;
}
