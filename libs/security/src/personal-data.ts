import { createCipheriv, createDecipheriv } from 'node:crypto';
import { PersonalDataSpec, pooledRandomBytes, SealedPart, Withheld, forEachPersonalPart, isSealedPart, isWithheldPart } from '@interlink/contracts';
import { canonicalJson, sha256Text } from './canonical-json';

/**
 * Crypto-shredding of personal data in payloads (see libs/contracts personal-data.ts for the
 * three forms of a person part). Each person record has its own 256-bit data key; its personal
 * fields are sealed with AES-256-GCM (random 96-bit IV, the record's ref as associated data, so a
 * sealed part cannot be moved to another record). Destroying the key erases the fields wherever
 * the sealed part was copied: stores, topics, archives, backups.
 */
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function newDataKey(): Buffer {
  return pooledRandomBytes(DATA_KEY_BYTES, { copy: true });
}

function checkKey(key: Buffer, ref: string): void {
  if (key.length !== DATA_KEY_BYTES) throw new Error(`the data key of person record ${ref} has ${key.length} bytes, not ${DATA_KEY_BYTES}`);
}

/** The part with its personal `fields` encrypted under `key`; the other fields stay as they are. */
export function sealPart(part: Record<string, unknown>, fields: readonly string[], ref: string, key: Buffer): Record<string, unknown> {
  checkKey(key, ref);
  const secret: Record<string, unknown> = {};
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(part)) {
    setMember(fields.includes(name) ? secret : kept, name, value);
  }
  // Used at once (into the cipher and the sealed text), so a view of the pool will do.
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(ref, 'utf8'));
  const body = Buffer.concat([cipher.update(canonicalJson(secret), 'utf8'), cipher.final()]);
  const sealed: SealedPart = { ref, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url') };
  return { ...kept, ...sealed };
}

/** Digest of a sealed part's ciphertext: what a withheld part keeps, and what the event hash commits to. */
export function sealedDigest(sealed: string): string {
  return sha256Text(sealed);
}

/** The part as a reader without its key sees it. */
export function withholdPart(part: SealedPart & Record<string, unknown>, reason: Withheld['withheld']): Record<string, unknown> {
  const { sealed, ref, ...kept } = part;
  const withheld: Withheld = { withheld: reason, ref, digest: sealedDigest(sealed) };
  return { ...kept, ...withheld };
}

export class SealedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedDataError';
  }
}

/** Decrypts a sealed part with its record's key; `null` (the key was destroyed) gives the erased form. */
export function openPart(part: SealedPart & Record<string, unknown>, key: Buffer | null): Record<string, unknown> {
  if (key === null) return withholdPart(part, 'erased');
  checkKey(key, part.ref);
  const { sealed, ref } = part;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES + 2) throw new SealedDataError(`the sealed data of person record ${ref} is too short to be a ciphertext`);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(ref, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  let text: string;
  try {
    // GCM's final() adds no bytes (it checks the tag); the text comes whole from update(). Read as
    // bytes and decoded here: asking update() for text makes it build a StringDecoder for each
    // part (a sixth of the time opening one took).
    const plain = decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES));
    decipher.final();
    text = plain.toString('utf8');
  } catch {
    throw new SealedDataError(`the sealed data of person record ${ref} does not open with its key: it was altered, or sealed under another key`);
  }
  // The kept fields, then the opened ones, as `{ ...kept, ...opened }` would make them (cheaper
  // than a rest pattern and two spreads, which were a third of opening a part).
  const opened: Record<string, unknown> = {};
  for (const name of Object.keys(part)) if (name !== 'sealed' && name !== 'ref') setMember(opened, name, part[name]);
  const secret = JSON.parse(text) as Record<string, unknown>;
  for (const name of Object.keys(secret)) setMember(opened, name, secret[name]);
  return opened;
}

/** record[name] = value, also for a member named "__proto__" (an assignment would set the prototype). */
function setMember(record: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}

function clone<T>(data: T): T {
  return structuredClone(data);
}

/**
 * Seals the personal data a payload holds according to its type's specs. `keyFor` gives (or
 * creates) the key of a person record. Parts already sealed or withheld are left as they are:
 * a payload may carry a person another agency has erased.
 */
export function sealData<D>(data: D, specs: readonly PersonalDataSpec[], keyFor: (ref: string) => Buffer): D {
  if (specs.length === 0 || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  // Copied only along the paths to the parts it replaces (the payload, and the lists of parts);
  // the rest is shared with `data`, which is left as it is. (A deep copy of each payload was a
  // fifth of the cost of sealing it.)
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const spec of specs) {
    const field = spec.at.endsWith('[]') ? spec.at.slice(0, -2) : spec.at;
    if (Array.isArray(copy[field])) copy[field] = (copy[field] as unknown[]).slice();
  }
  forEachPersonalPart(copy, specs, (part, ref, spec, replace) => {
    if (isSealedPart(part) || isWithheldPart(part)) return;
    replace(sealPart(part, spec.fields, ref, keyFor(ref)));
  });
  return copy as D;
}

/** The refs of the person records whose sealed parts a payload holds. */
export function sealedRefs(data: unknown, found: Set<string> = new Set()): Set<string> {
  walkProtected(data, (part) => {
    if (isSealedPart(part)) found.add(part.ref);
    return undefined;
  });
  return found;
}

/**
 * Opens every sealed part of a payload. `keyFor` returns the record's key, `null` when it was
 * erased, or undefined when this reader never received it: SealedDataError names the record,
 * or, with `whenMissing: 'redact'`, the part reads as redacted.
 */
export function openData<D>(data: D, keyFor: (ref: string) => Buffer | null | undefined, options: { whenMissing?: 'throw' | 'redact' } = {}): D {
  return openDataInPlace(clone(data), keyFor, options);
}

/** openData for a payload nobody else holds (one just parsed from the store): its parts are opened where they lie, without a copy. */
export function openDataInPlace<D>(data: D, keyFor: (ref: string) => Buffer | null | undefined, options: { whenMissing?: 'throw' | 'redact' } = {}): D {
  return walkProtected(data, (part) => {
    if (!isSealedPart(part)) return undefined;
    const key = keyFor(part.ref);
    if (key === undefined && options.whenMissing === 'redact') return withholdPart(part as SealedPart & Record<string, unknown>, 'redacted');
    if (key === undefined) throw new SealedDataError(`no data key for person record ${part.ref}: it was never received`);
    return openPart(part as SealedPart & Record<string, unknown>, key);
  });
}

/** The payload as a recipient not entitled to personal data gets it: each sealed part redacted. */
export function redactData<D>(data: D): D {
  return replaceParts(data, (part) => (isSealedPart(part) ? withholdPart(part as SealedPart & Record<string, unknown>, 'redacted') : undefined)) as D;
}

/**
 * What an event's `datahash` commits to: the payload with every sealed or withheld part reduced
 * to its kept fields, its ref and the digest of its ciphertext. The sealed, redacted and erased
 * forms of one event therefore have the same digest, and each of them verifies.
 */
export function commitmentForm<D>(data: D): D {
  return replaceParts(data, (part) => {
    if (isSealedPart(part)) {
      const { sealed, ...kept } = part as SealedPart & Record<string, unknown>;
      return { ...kept, sealed: sealedDigest(sealed) };
    }
    const { withheld: _reason, digest, ...kept } = part as unknown as Withheld & Record<string, unknown>;
    return { ...kept, sealed: digest };
  }) as D;
}

/**
 * `value` with each sealed or withheld part replaced by what `replace` returns (undefined: kept),
 * copied only along the paths to a replaced part: the rest is shared with `value`, which is left
 * as it is. (The relay redacts and the verifier digests every event; a deep copy of each payload
 * cost as much as hashing it.)
 */
function replaceParts(value: unknown, replace: (part: Record<string, unknown>) => Record<string, unknown> | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = replaceParts(value[i], replace);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  if (isSealedPart(record) || isWithheldPart(record)) return replace(record) ?? record;
  let copy: Record<string, unknown> | undefined;
  for (const name of Object.keys(record)) {
    const child = record[name];
    if (typeof child !== 'object' || child === null) continue;
    const changed = replaceParts(child, replace);
    if (changed === child) continue;
    copy ??= { ...record };
    // Defined, not assigned: a member named "__proto__" (JSON.parse makes it an own property) stays one.
    Object.defineProperty(copy, name, { value: changed, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? record;
}

/** Replaces, depth first, each sealed or withheld part by what `replace` returns (undefined: keep). */
function walkProtected<D>(data: D, replace: (part: Record<string, unknown>) => Record<string, unknown> | undefined): D {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i]);
      return value;
    }
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (isSealedPart(record) || isWithheldPart(record)) return replace(record) ?? record;
    for (const name of Object.keys(record)) {
      const child = record[name];
      // Only objects can hold parts; a member is written only when it was replaced.
      if (typeof child !== 'object' || child === null) continue;
      const next = visit(child);
      if (next !== child) setMember(record, name, next);
    }
    return record;
  };
  return visit(data) as D;
}
