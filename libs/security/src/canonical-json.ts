import { hash } from 'node:crypto';

/**
 * RFC 8785 JSON Canonicalization Scheme: keys sorted by UTF-16 code units recursively, no
 * whitespace, numbers and strings as ECMAScript JSON.stringify writes them. Throws on non-finite
 * numbers, undefined inside arrays, bigint, functions (and symbols and cycles). Object properties
 * whose value is undefined are omitted, as JSON.stringify does.
 *
 * `toJSON` is honoured like JSON.stringify does, so a `Date` in a payload hashes the same before
 * it is sent as after the recipient parses it back into a string.
 *
 * Strings are kept exactly as JSON.stringify writes them, lone surrogates included (as `\udxxx`),
 * although RFC 8785 asks for an error there: every producer and verifier here is ECMAScript, and
 * refusing them would make one odd string in a payload stop a whole batch from being published.
 */
export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  const omit = options.omit;
  let text: string | undefined;
  try {
    text = omit ? fastMembers(value, omit) : fast(value, '', 0);
  } catch {
    // The fast path gives no useful message; the careful one says what is wrong, and where.
    text = encode(omit ? withoutMembers(value, omit) : value, '', '$', []);
  }
  if (text === undefined) throw new TypeError('canonicalJson: undefined has no JSON form');
  return text;
}

export interface CanonicalOptions {
  /** Top-level properties to leave out, as if they were not there (the value must be an object). */
  omit?: ReadonlySet<string>;
}

/** Nesting past this is treated as a cycle by the fast path, which then lets the careful one decide. */
const FAST_DEPTH = 256;

/**
 * The common case, without the bookkeeping that only serves error messages: no paths, and a depth
 * bound instead of a list of ancestors. Anything it cannot write throws, and canonicalJson then
 * runs the careful `encode`, which either writes it (deep but acyclic) or says what is wrong.
 */
function fast(input: unknown, key: string, depth: number): string | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null) {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(key: string): unknown }).toJSON(key);
    if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('not finite');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw new TypeError('no JSON form');
  }
  if (value === null) return 'null';
  if (depth > FAST_DEPTH) throw new TypeError('too deep for the fast path');
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const item = fast(value[i], String(i), depth + 1);
      if (item === undefined) throw new TypeError('undefined in an array');
      text += i === 0 ? item : ',' + item;
    }
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  const names = sortedNames(record);
  let text = '{';
  let first = true;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const member = fast(record[name], name, depth + 1);
    if (member === undefined) continue;
    text += (first ? '' : ',') + quoteName(name) + ':' + member;
    first = false;
  }
  return text + '}';
}

/** An object's canonical form without the members in `omit`, without copying it. */
function fastMembers(value: unknown, omit: ReadonlySet<string>): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('omit needs an object');
  const record = value as Record<string, unknown>;
  const names = sortedNames(record);
  let text = '{';
  let first = true;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (omit.has(name)) continue;
    const member = fast(record[name], name, 1);
    if (member === undefined) continue;
    text += (first ? '' : ',') + quoteName(name) + ':' + member;
    first = false;
  }
  return text + '}';
}

/** A string needs no escape in JSON when it has no quote, backslash, control character or surrogate. */
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify of a string; the test is about half the cost of that call for the strings of an event. */
function quote(text: string): string {
  return PLAIN_TEXT.test(text) ? '"' + text + '"' : JSON.stringify(text);
}

/**
 * Member names repeat from event to event: each is quoted once. Only names up to
 * MAX_REMEMBERED_NAME characters are remembered, so that what the caches hold stays small
 * whatever the payloads name their members.
 */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 4096;
const MAX_REMEMBERED_NAME = 64;

function quoteName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = quote(name);
    if (name.length > MAX_REMEMBERED_NAME) return quoted;
    if (quotedNames.size >= MAX_QUOTED_NAMES) quotedNames.clear();
    quotedNames.set(name, quoted);
  }
  return quoted;
}

/**
 * An object's member names in canonical order. Objects of one shape (the same names in the same
 * order, as JSON.parse and the producers make every event of a type) share one sort: sorting
 * twenty names costs ten times as much as comparing them with the shape's.
 */
function sortedNames(record: object): string[] {
  const names = Object.keys(record);
  if (names.length < 2 || names.length > MAX_SHAPE_NAMES) return names.length < 2 ? names : names.sort();
  let byFirst = shapes.get(names.length);
  const candidates = byFirst?.get(names[0]);
  if (candidates) {
    for (const shape of candidates) if (sameNames(shape.names, names)) return shape.sorted;
  }
  const sorted = names.slice().sort();
  if ((candidates?.length ?? 0) >= MAX_SHAPES_ALIKE) return sorted;
  for (const name of names) if (name.length > MAX_REMEMBERED_NAME) return sorted;
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
    byFirst = undefined;
  }
  if (!byFirst) shapes.set(names.length, (byFirst = new Map()));
  const shape = { names, sorted };
  const alike = byFirst.get(names[0]);
  if (alike) alike.push(shape);
  else byFirst.set(names[0], [shape]);
  shapeCount++;
  return sorted;
}

/** Shapes by their number of names and their first name; each remembers its names in object order and sorted. */
const shapes = new Map<number, Map<string, { names: string[]; sorted: string[] }[]>>();
let shapeCount = 0;
const MAX_SHAPES = 1024;
/** Shapes remembered with the same length and first name: past it, the others are sorted each time (a lookup stays short). */
const MAX_SHAPES_ALIKE = 16;
const MAX_SHAPE_NAMES = 64;

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function withoutMembers(value: unknown, omit: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('canonicalJson: leaving members out needs an object');
  }
  // fromEntries defines properties; assigning would turn a member named "__proto__" (which
  // JSON.parse keeps as an own property) into the copy's prototype and leave it out.
  return Object.fromEntries(Object.entries(value).filter(([name]) => !omit.has(name)));
}

/** 'sha256:' + lowercase hex of SHA-256 of the UTF-8 bytes of canonicalJson(data). */
export function dataDigest(data: unknown): string {
  return sha256Text(canonicalJson(data));
}

export function sha256Text(text: string): string {
  // The one-shot hash (Node >= 20.12) costs half of createHash().update().digest() on short texts.
  return 'sha256:' + hash('sha256', text, 'hex');
}

/** `undefined` means "leave this out" (an object property), as it does for JSON.stringify. */
function encode(input: unknown, key: string, path: string, ancestors: object[]): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();

  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} at ${path} is not a finite number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`canonicalJson: a ${typeof value} at ${path} has no JSON form`);
  }
  if (value === null) return 'null';

  const object = value as object;
  if (ancestors.includes(object)) throw new TypeError(`canonicalJson: ${path} refers back to itself`);
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    const items = object.map((item, index) => {
      const encoded = encode(item, String(index), `${path}[${index}]`, ancestors);
      if (encoded === undefined) throw new TypeError(`canonicalJson: undefined at ${path}[${index}] (an array cannot leave out an item)`);
      return encoded;
    });
    text = `[${items.join(',')}]`;
  } else {
    const members: string[] = [];
    // The default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    for (const name of Object.keys(object).sort()) {
      const encoded = encode((object as Record<string, unknown>)[name], name, `${path}.${name}`, ancestors);
      if (encoded !== undefined) members.push(`${JSON.stringify(name)}:${encoded}`);
    }
    text = `{${members.join(',')}}`;
  }
  ancestors.pop();
  return text;
}
