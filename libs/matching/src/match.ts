import { type Edit, singleEdit } from './edit';
import { type NameTokens, tokeniseName } from './names';
import { normaliseCountry, normalisePassport } from './passport';
import type { Match, PersonRecord } from './types';

const EXACT_NAME_SCORE = 0.95;
const TRANSLITERATION_STEP = 0.05;
const TYPO_STEP = 0.05;
const MIN_NAME_SCORE = 0.7;
/** Typos in shorter tokens turn one real name into another (LIM/LAM, TAN/TAM); only a swap is tolerated at length 3. */
const MIN_TYPO_LENGTH = 4;
const MIN_SWAP_LENGTH = 3;
/**
 * No one carries a name of more than this many tokens or characters; anything longer is pasted junk and
 * is not compared, which bounds the work per comparison and lets a token bitmask fit in an int.
 */
const MAX_NAME_TOKENS = 16;
const MAX_NAME_CHARS = 512;
const MAX_DISPLAYED_NAME_CHARS = 80;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface PreparedPassport {
  readonly number: string;
  readonly written: string;
  readonly country: string | undefined;
}

interface PreparedName extends NameTokens {
  readonly text: string;
  readonly isAlias: boolean;
}

/** A record with everything normalised once, so bestMatch does not redo the probe for every candidate. */
interface Prepared {
  readonly record: PersonRecord;
  readonly passports: readonly PreparedPassport[];
  readonly birthDate: string | undefined;
  readonly nationality: string | undefined;
  /** Tokenised on first use: most comparisons are decided by passports or birth dates before names matter. */
  names: readonly PreparedName[] | undefined;
}

type PairKind = 'exact' | 'transliteration' | 'typo';

/** How one token pairs with a token (index `other`) of the other name. */
type TokenPair =
  | { readonly kind: 'exact' | 'transliteration'; readonly other: number }
  /** A typo that only shows once both tokens are canonicalised counts as a transliteration step too. */
  | { readonly kind: 'typo'; readonly other: number; readonly edit: Edit; readonly transliterated: boolean };

interface NameComparison {
  readonly steps: number;
  readonly typos: number;
  /** Per token of the first record's name: how it pairs with the second's, or undefined when it is the extra one. */
  readonly pairs: readonly (TokenPair | undefined)[];
}

export function matchPersons(a: PersonRecord, b: PersonRecord): Match | undefined {
  return matchPrepared(prepare(a), prepare(b));
}

/** The candidate with the highest score; on equal scores the earlier one. */
export function bestMatch<T>(
  probe: PersonRecord,
  candidates: { record: PersonRecord; value: T }[],
): { match: Match; value: T } | undefined {
  const prepared = prepare(probe);
  let best: { match: Match; value: T } | undefined;
  for (const candidate of candidates) {
    const match = matchPrepared(prepared, prepare(candidate.record));
    if (match !== undefined && (best === undefined || match.score > best.match.score)) {
      best = { match, value: candidate.value };
      if (match.score === 1) break;
    }
  }
  return best;
}

function prepare(record: PersonRecord): Prepared {
  const passports: PreparedPassport[] = [];
  if (Array.isArray(record.passports)) {
    for (const passport of record.passports) {
      const number = normalisePassport(passport?.number);
      if (number !== '') passports.push({ number, written: passport.number, country: normaliseCountry(passport.country) });
    }
  }
  const birthDate = typeof record.birthDate === 'string' ? record.birthDate.trim() : '';
  return {
    record,
    passports,
    birthDate: ISO_DATE.test(birthDate) ? birthDate : undefined,
    nationality: normaliseCountry(record.nationality),
    names: undefined,
  };
}

function namesOf(prepared: Prepared): readonly PreparedName[] {
  if (prepared.names !== undefined) return prepared.names;
  const { name, aliases } = prepared.record;
  const names: PreparedName[] = [];
  const add = (text: unknown, isAlias: boolean) => {
    // Trimmed first: legacy fixed-width exports pad names with spaces.
    if (typeof text !== 'string' || text.trim().length > MAX_NAME_CHARS) return;
    const tokens = tokeniseName(text);
    if (tokens.canon.length >= 2 && tokens.canon.length <= MAX_NAME_TOKENS) names.push({ ...tokens, text, isAlias });
  };
  add(name, false);
  if (Array.isArray(aliases)) for (const alias of aliases) add(alias, true);
  prepared.names = names;
  return names;
}

function matchPrepared(a: Prepared, b: Prepared): Match | undefined {
  const passport = matchPassports(a, b);
  if (passport !== undefined) return passport;

  if (a.birthDate === undefined || a.birthDate !== b.birthDate) return undefined;
  if (a.nationality !== undefined && b.nationality !== undefined && a.nationality !== b.nationality) return undefined;

  let best: { x: PreparedName; y: PreparedName; comparison: NameComparison } | undefined;
  for (const x of namesOf(a)) {
    for (const y of namesOf(b)) {
      const comparison = compareNames(x, y);
      if (comparison !== undefined && (best === undefined || comparison.steps < best.comparison.steps)) {
        best = { x, y, comparison };
        if (comparison.steps === 0) break;
      }
    }
    if (best?.comparison.steps === 0) break;
  }
  if (best === undefined) return undefined;

  return {
    reason: 'name-and-birth-date',
    score: nameScore(best.comparison),
    explanation: explainNames(best.x, best.y, best.comparison, a.birthDate, a.nationality !== undefined && b.nationality !== undefined ? a.nationality : undefined),
  };
}

function matchPassports(a: Prepared, b: Prepared): Match | undefined {
  for (const pa of a.passports) {
    for (const pb of b.passports) {
      if (pa.number !== pb.number) continue;
      if (pa.country !== undefined && pb.country !== undefined && pa.country !== pb.country) continue;
      const country = pa.country ?? pb.country;
      const issued = country === undefined ? '' : ` issued by ${country}`;
      const written = pa.written.trim() === pb.written.trim() ? '' : `, written "${display(pa.written)}" and "${display(pb.written)}"`;
      return { reason: 'passport', score: 1, explanation: `Passport ${pa.number}${issued} is on both records${written}.` };
    }
  }
  return undefined;
}

function nameScore(comparison: NameComparison): number {
  const transliterations = comparison.steps - comparison.typos;
  const score = EXACT_NAME_SCORE - transliterations * TRANSLITERATION_STEP - comparison.typos * TYPO_STEP;
  return Math.max(MIN_NAME_SCORE, Math.round(score * 100) / 100);
}

/**
 * Pairs the tokens of the name with fewer tokens with distinct tokens of the other, order ignored.
 * Raw-equal tokens are paired first and canonically equal ones next; both relations are equivalences,
 * so pairing greedily within them is already a maximum pairing with the fewest transliteration steps.
 * At most one token may then remain, and it must be one typo away from a remaining token of the other.
 */
function compareNames(x: PreparedName, y: PreparedName): NameComparison | undefined {
  const swapped = y.canon.length < x.canon.length;
  const short = swapped ? y : x;
  const long = swapped ? x : y;
  const n = short.canon.length;
  const m = long.canon.length;
  if (n < 2 || m - n > 1) return undefined;

  const partner = new Array<number>(n).fill(-1);
  const kinds = new Array<PairKind>(n).fill('exact');
  let usedLong = 0;
  let steps = 0;

  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if ((usedLong & (1 << j)) === 0 && short.raw[i] === long.raw[j]) {
        partner[i] = j;
        usedLong |= 1 << j;
        break;
      }
    }
  }
  let unpaired = -1;
  for (let i = 0; i < n; i++) {
    if (partner[i] !== -1) continue;
    for (let j = 0; j < m; j++) {
      if ((usedLong & (1 << j)) === 0 && short.canon[i] === long.canon[j]) {
        partner[i] = j;
        kinds[i] = 'transliteration';
        usedLong |= 1 << j;
        steps++;
        break;
      }
    }
    if (partner[i] !== -1) continue;
    if (unpaired !== -1) return undefined;
    unpaired = i;
  }

  let typo: { edit: Edit; transliterated: boolean } | undefined;
  if (unpaired !== -1) {
    let bestCost = Infinity;
    for (let j = 0; j < m; j++) {
      if ((usedLong & (1 << j)) !== 0) continue;
      const edit = typoBetween(short.canon[unpaired], long.canon[j]);
      if (edit === undefined) continue;
      const transliterated = singleEdit(short.raw[unpaired], long.raw[j]) === undefined;
      const cost = transliterated ? 2 : 1;
      if (cost < bestCost) {
        bestCost = cost;
        partner[unpaired] = j;
        typo = { edit, transliterated };
      }
    }
    if (typo === undefined) return undefined;
    kinds[unpaired] = 'typo';
    steps += bestCost;
  }

  return { steps, typos: typo === undefined ? 0 : 1, pairs: pairsFromFirst(x.canon.length, swapped, partner, kinds, typo) };
}

function typoBetween(a: string, b: string): Edit | undefined {
  const edit = singleEdit(a, b);
  if (edit === undefined) return undefined;
  const shorter = Math.min(a.length, b.length);
  if (shorter >= MIN_TYPO_LENGTH) return edit;
  return edit === 'transposition' && shorter >= MIN_SWAP_LENGTH ? edit : undefined;
}

/** Re-expresses the pairing from the point of view of the first record's name, for the explanation. */
function pairsFromFirst(
  firstLength: number,
  swapped: boolean,
  partner: readonly number[],
  kinds: readonly PairKind[],
  typo: { edit: Edit; transliterated: boolean } | undefined,
): (TokenPair | undefined)[] {
  const pairs = new Array<TokenPair | undefined>(firstLength).fill(undefined);
  for (let i = 0; i < partner.length; i++) {
    const kind = kinds[i];
    const first = swapped ? partner[i] : i;
    const other = swapped ? i : partner[i];
    pairs[first] =
      kind === 'typo' && typo !== undefined
        ? { kind, other, edit: swapped ? reversed(typo.edit) : typo.edit, transliterated: typo.transliterated }
        : { kind: kind === 'typo' ? 'transliteration' : kind, other };
  }
  return pairs;
}

/** The edit turning b into a, given the one turning a into b. */
function reversed(edit: Edit): Edit {
  if (edit === 'insertion') return 'deletion';
  if (edit === 'deletion') return 'insertion';
  return edit;
}

const EDIT_WORDING: Readonly<Record<Edit, string>> = Object.freeze({
  substitution: 'one letter different',
  transposition: 'two letters swapped',
  insertion: 'one letter missing on the first record',
  deletion: 'one extra letter on the first record',
});

function explainNames(x: PreparedName, y: PreparedName, comparison: NameComparison, birthDate: string, nationality: string | undefined): string {
  const parts: string[] = [];
  const pairedOnSecond = new Set<number>();
  comparison.pairs.forEach((pair, i) => {
    const first = x.raw[i];
    if (pair === undefined) {
      parts.push(`${first} only on the first record`);
      return;
    }
    pairedOnSecond.add(pair.other);
    const second = y.raw[pair.other];
    if (pair.kind === 'typo') {
      const how = pair.transliterated ? 'by transliteration and one typo' : 'with one typo';
      parts.push(`${first}/${second} ${how} (${EDIT_WORDING[pair.edit]})`);
    } else if (pair.kind === 'transliteration') parts.push(`${first}/${second} by transliteration`);
    else parts.push(`${first} exactly`);
  });
  y.raw.forEach((token, j) => {
    if (!pairedOnSecond.has(j)) parts.push(`${token} only on the second record`);
  });

  const agreement = nationality === undefined ? `birth dates agree (${birthDate})` : `birth dates agree (${birthDate}) and both are ${nationality} nationals`;
  return `The ${label(x)} on the first record matches the ${label(y)} on the second record: ${parts.join(', ')}; ${agreement}.`;
}

function label(name: PreparedName): string {
  return `${name.isAlias ? 'alias' : 'name'} "${display(name.text)}"`;
}

function display(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length > MAX_DISPLAYED_NAME_CHARS ? `${trimmed.slice(0, MAX_DISPLAYED_NAME_CHARS)}…` : trimmed;
}
