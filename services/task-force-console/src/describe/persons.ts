import { createHash } from 'node:crypto';
import { PersonalDataSpec, forEachPersonalPart } from '@interlink/contracts';
import { countryName } from './countries';

/**
 * Person-like parts of payloads (a suspect's `person`, a crossing's `traveller`, each of a
 * rescue's `persons`) reach the task force in one of three forms: disclosed (the deployment
 * grants the task force personal data), withheld (`withheld: 'redacted'` for a recipient not
 * entitled to it, `'erased'` after a lawful erasure; with the pseudonymous `ref` and the
 * `digest` of the sealed fields), or sealed (encrypted, when no key came with it). The console
 * never keeps a ciphertext: a sealed part is stored as the redacted form.
 */
export const PERSON_KEYS = ['person', 'traveller', 'persons'] as const;
export const PERSONAL_FIELDS = ['name', 'aliases', 'birthDate', 'passport', 'passports'] as const;

export type PersonState = 'disclosed' | 'redacted' | 'erased';

export interface PassportView {
  number: string;
  country: string;
}

/** What the page shows of a person part. */
export interface PersonView {
  state: PersonState;
  /** Pseudonymous id of the person record, when withheld. */
  ref?: string;
  digest?: string;
  name?: string;
  aliases?: string[];
  birthDate?: string;
  nationality?: string;
  passports?: PassportView[];
  /** The record's own id of the person, when the payload carries one (rescued persons). */
  personId?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

function passportsOf(part: Json): PassportView[] | undefined {
  const list = Array.isArray(part.passports) ? part.passports : isObject(part.passport) ? [part.passport] : [];
  const passports = list.filter(isObject).flatMap((p) => (str(p.number) ? [{ number: String(p.number), country: str(p.country) ?? '??' }] : []));
  return passports.length ? passports : undefined;
}

/** The page's view of one person part, whatever form it came in; never throws. */
export function personView(part: unknown): PersonView {
  if (!isObject(part)) return { state: 'redacted' };
  const common = {
    ...(str(part.nationality) ? { nationality: String(part.nationality) } : {}),
    ...(str(part.personId) ? { personId: String(part.personId) } : {}),
  };
  if (part.withheld === 'erased' || part.withheld === 'redacted') {
    return { state: part.withheld, ...(str(part.ref) ? { ref: String(part.ref) } : {}), ...(str(part.digest) ? { digest: String(part.digest) } : {}), ...common };
  }
  if (typeof part.sealed === 'string' || typeof part.withheld === 'string' || !str(part.name)) {
    // Sealed without a key, an unknown withholding reason, or a part without a name: nothing personal to show.
    return { state: 'redacted', ...(str(part.ref) ? { ref: String(part.ref) } : {}), ...common };
  }
  const aliases = Array.isArray(part.aliases) ? part.aliases.filter((a): a is string => typeof a === 'string') : [];
  const passports = passportsOf(part);
  return {
    state: 'disclosed',
    name: String(part.name),
    ...(aliases.length ? { aliases } : {}),
    ...(str(part.birthDate) ? { birthDate: String(part.birthDate) } : {}),
    ...(passports ? { passports } : {}),
    ...common,
  };
}

/** Every person part of a payload, with the field it is at (`person`, `traveller`, `persons[2]`). */
export function personParts(data: unknown): { at: string; part: unknown }[] {
  if (!isObject(data)) return [];
  const found: { at: string; part: unknown }[] = [];
  for (const key of PERSON_KEYS) {
    const value = data[key];
    if (Array.isArray(value)) value.forEach((part, i) => found.push({ at: `${key}[${i}]`, part }));
    else if (value !== undefined) found.push({ at: key, part: value });
  }
  return found;
}

/** Fields of a part that only a reader entitled to personal data sees (a match's explanation names people and passports too). */
export const WITHHELD_FIELDS = [...PERSONAL_FIELDS, 'explanation'] as const;

/** Replaces, depth first, every part that `pick` selects by what `replace` makes of it. Returns a copy. */
function rewriteParts(data: unknown, pick: (part: Json) => boolean, replace: (part: Json) => Json): unknown {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!isObject(value)) return value;
    if (pick(value)) return replace(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
  };
  return visit(structuredClone(data));
}

const digestOfSealed = (sealed: string) => `sha256:${createHash('sha256').update(sealed, 'utf8').digest('hex')}`;

/**
 * The payload as the console keeps it: a part still sealed (ciphertext the task force holds no
 * key for) becomes its redacted form, with the digest of the ciphertext as the sealing agency
 * computes it. Everything else is kept as received. Returns a copy.
 */
export function normalisePayload(data: unknown): unknown {
  return rewriteParts(
    data,
    (part) => typeof part.sealed === 'string' && typeof part.ref === 'string',
    ({ sealed, ...kept }) => ({ ...kept, withheld: 'redacted', digest: digestOfSealed(String(sealed)) }),
  );
}

/** What is left of a part of an erased record: its non-personal fields, marked erased, with its pseudonym and commitment. */
function erasedPart(part: Json, ref: string, fields: readonly string[], digest?: string): Json {
  const drop = new Set<string>([...fields, ...WITHHELD_FIELDS, 'sealed', 'withheld', 'digest', 'ref']);
  const kept = Object.fromEntries(Object.entries(part).filter(([k]) => !drop.has(k)));
  const known = typeof part.digest === 'string' ? part.digest : typeof part.sealed === 'string' ? digestOfSealed(part.sealed) : digest;
  return { ...kept, withheld: 'erased', ref, ...(known ? { digest: known } : {}) };
}

/**
 * The payload after its owner erased person record `ref`: each part of that record keeps only its
 * non-personal fields, marked erased. Parts kept redacted carry their ref; parts the console
 * opened do not, so the event type's personal-data specs say where they are and which field
 * names their record. `digest` is the part's commitment, from the sealed copy in the inbox.
 */
export function eraseRecord(data: unknown, specs: readonly PersonalDataSpec[], ref: string, digest?: string): unknown {
  const rewritten = rewriteParts(data, (part) => part.ref === ref && (typeof part.withheld === 'string' || typeof part.sealed === 'string'), (part) => erasedPart(part, ref, WITHHELD_FIELDS, digest));
  try {
    forEachPersonalPart(rewritten, specs, (part, partRef, spec, replace) => {
      if (partRef === ref && typeof part.withheld !== 'string') replace(erasedPart(part, ref, spec.fields, digest));
    });
  } catch {
    // A payload without the field that names the record: nothing of it to erase there.
  }
  return rewritten;
}

/** The digest of each sealed or withheld part of a payload, by record (to keep it when the console erases an opened part). */
export function partDigests(data: unknown, found: Map<string, string> = new Map()): Map<string, string> {
  if (Array.isArray(data)) data.forEach((d) => partDigests(d, found));
  else if (isObject(data)) {
    if (typeof data.ref === 'string' && typeof data.sealed === 'string') found.set(data.ref, digestOfSealed(data.sealed));
    else if (typeof data.ref === 'string' && typeof data.digest === 'string') found.set(data.ref, data.digest);
    else Object.values(data).forEach((v) => partDigests(v, found));
  }
  return found;
}

/** A match as the page shows it: its reason and score always; its explanation unless withheld. */
export interface MatchView {
  reason: string;
  score: number;
  explanation?: string;
  withheld?: string;
}

export function matchView(value: unknown): MatchView | undefined {
  if (!isObject(value) || typeof value.reason !== 'string' || typeof value.score !== 'number') return undefined;
  return {
    reason: value.reason,
    score: value.score,
    ...(typeof value.explanation === 'string' ? { explanation: value.explanation } : {}),
    ...(typeof value.withheld === 'string' ? { withheld: value.withheld } : typeof value.sealed === 'string' ? { withheld: 'redacted' } : {}),
  };
}

/** A short, readable form of a person for sentences: the name when disclosed, else what is known. */
export function personLabel(view: PersonView): string {
  if (view.state === 'disclosed' && view.name) return view.name;
  const who = view.nationality ? `a person from ${countryName(view.nationality)}` : 'a person';
  return `${who} (${view.state}${view.ref ? `, pseudonym ${view.ref.slice(-8)}` : ''})`;
}
