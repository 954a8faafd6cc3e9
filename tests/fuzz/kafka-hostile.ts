import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { IHeaders } from 'kafkajs';
import { EventEnvelope, agencySource, dataschemaFor, uuidv7 } from '@interlink/contracts';
import { GENESIS_HASH, SigningKey, chainBatch, eventHash, payloadDigest, signBatch, signKeyDelivery } from '@interlink/security';

/**
 * Hostile messages as fast-check generates them: small descriptions that name the consumer topic
 * by roles (`police>immigration`, `keys:police>audit`) and say what to send. A description becomes
 * bytes only against a running world (materialise), so a counterexample prints short and reads the
 * same in every run.
 */

export const ROLES = ['police', 'immigration', 'foreign-ministry'] as const;
export type Role = (typeof ROLES)[number];

/** Topics read by an EventConsumer (agencies' policies, the console's intake) or by the auditors' archive. */
const EVENT_TOPICS = ROLES.flatMap((from) => [...ROLES.filter((to) => to !== from), 'audit', 'task-force'].map((to) => `${from}>${to}`));
/** keys.<from>.<to>: the agencies' key receivers, the auditors' and the console's. */
const KEY_TOPICS = EVENT_TOPICS.map((name) => `keys:${name}`);
/** Every key receiver authenticates deliveries against its trust store. */
export const AUTHENTICATING_KEY_TOPICS = KEY_TOPICS;

export const VARIANTS = [
  'wrong-signature', 'wrong-keyid', 'wrong-sender', 'not-releasable', 'red', 'wrong-message-key',
  'unknown-type', 'schema', 'nul', 'lone-surrogate', 'deep-data', 'odd-time',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** Variants a genuine but faulty sender could publish, so they are also sent signed with the sender's real key. */
const RESIGNABLE: readonly Variant[] = ['not-releasable', 'red', 'wrong-message-key', 'unknown-type', 'schema', 'nul', 'lone-surrogate', 'deep-data', 'odd-time'];
/** Signed by the real sender and unusable as it is: such an event holds its stream back (the fuzzer gives it a stream of its own). */
const HOLDS_ITS_STREAM: readonly Variant[] = ['unknown-type', 'schema', 'nul', 'lone-surrogate', 'deep-data', 'odd-time'];

/** `time` values a sender should never write; the first ones the envelope's schema refuses, the last ones it lets through. */
const REFUSED_TIMES: unknown[] = ['1', '2026', '2026-02-30T00:00:00Z', '+275760-09-13T00:00:00Z', '', 12345, null, '\uff12\uff10\uff12\uff16-01-01T00:00:00Z', '2026-01-01T00:00:00+99:99'];
const ODD_TIMES: unknown[] = [...REFUSED_TIMES, '0000-01-01T00:00:00Z', '9999-12-31T23:59:60Z', '2026-01-01 00:00:00Z'];

export type KeySeal = 'none' | 'other-agency' | 'copied' | 'untrusted';

/** `onPartition` sends a message to that partition whatever its key says (floods use it to fill one). */
export type Hostile = (
  | { to: string; kind: 'bytes'; bytes: Uint8Array; key: string | null; headers: Record<string, string> | null; partition: number }
  | { to: string; kind: 'empty'; nullValue: boolean; partition: number }
  | { to: string; kind: 'truncated'; pick: number; keep: number }
  | { to: string; kind: 'bit-flip'; pick: number; bits: number[] }
  | { to: string; kind: 'replay'; pick: number }
  | { to: string; kind: 'deep'; depth: number; partition: number }
  | { to: string; kind: 'forged'; variant: Variant; resign: boolean; claim: number | null; pick: number; option: number }
  | { to: string; kind: 'key-forged'; fresh: boolean; seal: KeySeal; pick: number }
  | { to: string; kind: 'key-tombstone'; seal: KeySeal; pick: number }
  | { to: string; kind: 'key-replay'; pick: number }
  | { to: string; kind: 'oversized'; bytes: number; asEnvelope: boolean; pick: number }
) & { onPartition?: number };

const pick = fc.nat({ max: 10_000 });
const partition = fc.nat({ max: 2 });

const forged = (to: fc.Arbitrary<string>) =>
  fc
    .record({ to, kind: fc.constant('forged' as const), variant: fc.constantFrom(...VARIANTS), resign: fc.boolean(), claim: fc.option(pick, { nil: null }), pick, option: fc.nat({ max: 100_000 }) })
    .map((h) => ({ ...h, resign: h.resign && RESIGNABLE.includes(h.variant) }));

/** One hostile message to any consumer topic. */
export function hostileArbitrary(): fc.Arbitrary<Hostile> {
  const events = fc.constantFrom(...EVENT_TOPICS);
  const keys = fc.constantFrom(...KEY_TOPICS);
  const seal = fc.constantFrom<KeySeal>('none', 'other-agency', 'copied', 'untrusted');
  return fc.oneof(
    fc.record({
      to: fc.oneof(events, keys),
      kind: fc.constant('bytes' as const),
      bytes: fc.uint8Array({ maxLength: 300 }),
      key: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
      headers: fc.option(fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 300 }), { maxKeys: 3 }), { nil: null }),
      partition,
    }),
    fc.record({ to: events, kind: fc.constant('empty' as const), nullValue: fc.boolean(), partition }),
    fc.record({ to: events, kind: fc.constant('truncated' as const), pick, keep: fc.nat({ max: 100_000 }) }),
    fc.record({ to: events, kind: fc.constant('bit-flip' as const), pick, bits: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 4 }) }),
    fc.record({ to: events, kind: fc.constant('replay' as const), pick }),
    fc.record({ to: events, kind: fc.constant('deep' as const), depth: fc.integer({ min: 65, max: 100_000 }), partition }),
    { arbitrary: forged(events), weight: 4 },
    fc.record({ to: keys, kind: fc.constant('key-forged' as const), fresh: fc.constant(false), seal, pick }),
    fc.record({ to: fc.constantFrom(...AUTHENTICATING_KEY_TOPICS), kind: fc.constant('key-forged' as const), fresh: fc.constant(true), seal, pick }),
    fc.record({ to: keys, kind: fc.constant('key-tombstone' as const), seal, pick }),
    fc.record({ to: keys, kind: fc.constant('key-replay' as const), pick }),
  );
}

/**
 * One hostile message of every kind, and a forgery of every variant (signed by the real sender too
 * where a faulty sender could have sent it), to topics fast-check picks: every run tries them all.
 */
export function tourArbitrary(): fc.Arbitrary<Hostile[]> {
  const kinds = ['bytes', 'empty', 'truncated', 'bit-flip', 'replay', 'deep', 'key-forged', 'key-tombstone', 'key-replay'] as const;
  const every = [
    ...kinds.map((kind) => hostileArbitrary().filter((h) => h.kind === kind)),
    hostileArbitrary().filter((h) => h.kind === 'bytes' && h.to.startsWith('keys:')),
    hostileArbitrary().filter((h) => h.kind === 'key-forged' && h.fresh),
    ...VARIANTS.flatMap((variant) => [false, ...(RESIGNABLE.includes(variant) ? [true] : [])].map((resign) => forged(fc.constantFrom(...EVENT_TOPICS)).map((h) => ({ ...h, variant, resign })))),
  ];
  return fc.tuple(...every);
}

/** As close to the broker's message.max.bytes (1 MB by default) as a message with a key and headers gets. */
const LARGEST = 1_048_000;

/** A message close to the broker's limit: a copy of it with the headers a dead letter adds is over it. */
const oversized = (to: fc.Arbitrary<string>) =>
  fc.record({ to, kind: fc.constant('oversized' as const), bytes: fc.oneof(fc.constant(LARGEST), fc.integer({ min: 900_000, max: LARGEST })), asEnvelope: fc.boolean(), pick });

/**
 * Messages close to the broker's limit and a flood of poison behind them, all to one partition of
 * one topic, so that a consumer gets them in few batches: their dead letters add up to more than
 * the broker takes in one request. And a message close to the limit on a keys topic.
 */
export function floodArbitrary(): fc.Arbitrary<Hostile[]> {
  const poison = fc.oneof(
    fc.record({ to: fc.constant(''), kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }), key: fc.option(fc.string({ maxLength: 40 }), { nil: null }), headers: fc.constant(null), partition: fc.constant(0) }),
    fc.record({ to: fc.constant(''), kind: fc.constant('truncated' as const), pick, keep: fc.nat({ max: 100_000 }) }),
    fc.record({ to: fc.constant(''), kind: fc.constant('bit-flip' as const), pick, bits: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 4 }) }),
    forged(fc.constant('')).filter((h) => h.variant !== 'deep-data'),
  );
  return fc
    .record({
      to: fc.constantFrom(...EVENT_TOPICS),
      onPartition: fc.nat({ max: 2 }),
      large: fc.array(oversized(fc.constant('')), { minLength: 1, maxLength: 2 }),
      flood: fc.array(poison, { minLength: 600, maxLength: 1200 }),
      toKeys: oversized(fc.constantFrom(...KEY_TOPICS)),
    })
    .map(({ to, onPartition, large, flood, toKeys }) => [...[...large, ...flood].map((h) => ({ ...h, to, onPartition })), toKeys]);
}

/** What the world offers to materialise a description against. */
export interface TargetView {
  name: string;
  topic: string;
  kind: 'events' | 'archive' | 'keys';
  partitions: number;
  sender: string;
  recipient: string;
  /** The sender's real signing key, and other agencies' (for keys that are not the sender's). */
  signer: SigningKey;
  others: SigningKey[];
  /** Genuine messages seen on the topic. */
  genuine: RawMessage[];
  /** Streams the sender publishes on this topic that a forgery may claim; the first ones get a genuine event after the round. */
  streams: string[];
  partitionOf(key: string | Buffer | null): number | undefined;
}

export interface RawMessage {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** How the recipient must treat the message. */
export type Expectation =
  | { parked: RegExp; holds: boolean }
  | { skipped: true }
  | { archived: RegExp | null }
  | { keyRefused: true };

export interface Materialised extends RawMessage {
  expect: Expectation;
  /** The stream a forgery claims, when it claims one that can be stored. */
  claims?: string;
}

let sequence = 1_000_000_000;
const NESTED = '<nested arrays go here>';

/** Builds the message a description stands for. */
export function materialise(h: Hostile, t: TargetView): Materialised {
  const chosen = <T>(list: T[], n: number): T => {
    if (list.length === 0) throw new Error(`no genuine messages on ${t.topic} to build a "${h.kind}" from`);
    return list[n % list.length];
  };
  const onEvents = (parked: RegExp, holds = false): Expectation => (t.kind === 'archive' ? { archived: null } : { parked, holds });
  const partitionFor = (key: Buffer | null, fallback: number) => t.partitionOf(key) ?? fallback % t.partitions;
  switch (h.kind) {
    case 'bytes': {
      const key = h.key === null ? null : Buffer.from(h.key);
      const value = Buffer.from(h.bytes);
      const headers = h.headers ?? {};
      if (t.kind === 'keys') return { partition: 0, key, value, headers, expect: { keyRefused: true } };
      const expect = t.kind === 'archive' ? { archived: archiveReasonOf(value) } : { parked: /^(empty message|value is not JSON|value is JSON but not an event envelope|sender mismatch)/, holds: false };
      return { partition: partitionFor(key, h.partition), key, value, headers, expect };
    }
    case 'empty': {
      const value = h.nullValue ? null : Buffer.alloc(0);
      return { partition: h.partition % t.partitions, key: null, value, headers: {}, expect: t.kind === 'archive' ? { archived: /no value/ } : { parked: /^empty message/, holds: false } };
    }
    case 'truncated': {
      const genuine = chosen(t.genuine, h.pick);
      const value = genuine.value!.subarray(0, h.keep % genuine.value!.length);
      return { ...genuine, value, expect: t.kind === 'archive' ? { archived: /no value|not JSON/ } : { parked: /^(empty message|value is not JSON)/, holds: false } };
    }
    case 'bit-flip': {
      const genuine = chosen(t.genuine, h.pick);
      const value = Buffer.from(genuine.value!);
      for (const bit of h.bits) value[Math.floor(bit / 8) % value.length] ^= 1 << bit % 8;
      if (value.equals(genuine.value!)) value[0] ^= 1;
      return { ...genuine, value, expect: t.kind === 'archive' ? { archived: archiveReasonOf(value) } : { parked: /^(value is not JSON|value is JSON but not an event envelope|sender mismatch|not accepted as )/, holds: false } };
    }
    case 'replay': {
      const genuine = chosen(t.genuine, h.pick);
      return { ...genuine, expect: t.kind === 'archive' ? { archived: null } : { skipped: true } };
    }
    case 'deep': {
      const value = Buffer.from(`{"source":"/agencies/${t.sender}","data":${'['.repeat(h.depth)}${']'.repeat(h.depth)}}`);
      return { partition: h.partition % t.partitions, key: null, value, headers: {}, expect: t.kind === 'archive' ? { archived: /nested more than/ } : { parked: /^not accepted as /, holds: false } };
    }
    case 'forged':
      return forge(h, t, chosen, onEvents);
    case 'oversized': {
      if (t.kind === 'keys') {
        const ref = t.genuine.length > 0 ? chosen(t.genuine, h.pick).key! : Buffer.from(uuidv7());
        return { partition: 0, key: ref, value: Buffer.from(JSON.stringify({ ref: ref.toString(), key: 'A'.repeat(h.bytes) })), headers: {}, expect: { keyRefused: true } };
      }
      if (!h.asEnvelope) {
        return { partition: h.pick % t.partitions, key: null, value: randomBytes(h.bytes), headers: {}, expect: t.kind === 'archive' ? { archived: /not JSON/ } : { parked: /^value is not JSON/, holds: false } };
      }
      const genuine = chosen(t.genuine, h.pick);
      const envelope = JSON.parse(genuine.value!.toString()) as Record<string, unknown>;
      // The genuine event, its payload padded: its id is applied already, yet it is no replay.
      const padded = (padding: string) => JSON.stringify({ ...envelope, data: { ...(envelope.data as object), padding } });
      const value = Buffer.from(padded('x'.repeat(h.bytes - Buffer.byteLength(padded('')))));
      return { ...genuine, value, expect: t.kind === 'archive' ? { archived: null } : { parked: /^not accepted as .*payload/, holds: false } };
    }
    case 'key-forged':
    case 'key-tombstone':
    case 'key-replay':
      return forgeKey(h, t, chosen);
  }
}

function forge(
  h: Extract<Hostile, { kind: 'forged' }>,
  t: TargetView,
  chosen: <T>(list: T[], n: number) => T,
  onEvents: (parked: RegExp, holds?: boolean) => Expectation,
): Materialised {
  const genuine = chosen(t.genuine, h.pick);
  const e = JSON.parse(genuine.value!.toString()) as Record<string, unknown>;
  e.id = uuidv7();
  const holds = h.resign && HOLDS_ITS_STREAM.includes(h.variant);
  // A faulty but genuine event holds its stream back, so it gets a stream of its own; a forgery may claim a genuine one.
  if (holds) e.subject = `fuzz-${uuidv7()}`;
  else if (h.claim !== null && t.streams.length > 0) e.subject = chosen(t.streams, h.claim);
  let key: Buffer | null = Buffer.from(String(e.subject));
  let reason: RegExp = /^not accepted as /;
  const other = chosen(t.others, h.option);
  const where = ['subject', 'actor', 'data'][h.option % 3];
  const put = (text: string) => {
    if (where === 'data') e.data = { ...(e.data as object), note: `before ${text} after` };
    else e[where] = `${String(e[where]).slice(0, 150)}${text}`;
  };
  let signer: SigningKey | undefined = h.resign ? t.signer : undefined;
  let nested: string | undefined;
  switch (h.variant) {
    case 'wrong-signature':
      signer = { ...t.signer, ...untrustedKey(t.signer.agencyId, t.signer.keyId) };
      reason = /^not accepted as .*does not verify/;
      break;
    case 'wrong-keyid':
      signer = h.option % 2 === 0 ? { ...other, agencyId: t.sender } : untrustedKey(t.sender, `${t.sender}:20990101T000000:${randomBytes(3).toString('hex')}`);
      reason = /^not accepted as .*(belongs to|not trusted here)/;
      break;
    case 'wrong-sender':
      e.source = agencySource(other.agencyId);
      signer = other;
      reason = /^sender mismatch/;
      break;
    case 'not-releasable':
      e.releasableto = h.option % 2 === 0 ? '' : t.others.map((o) => o.agencyId).filter((agency) => agency !== t.recipient).join(',');
      if (h.resign) reason = /is releasable to .*, not to this agency/;
      break;
    case 'red':
      e.classification = 'RED';
      if (h.resign) reason = /TLP:RED/;
      break;
    case 'wrong-message-key':
      key = h.option % 2 === 0 ? Buffer.from(uuidv7()) : null;
      if (h.resign) reason = /^message key ".*" is not the event's stream id/;
      break;
    case 'unknown-type': {
      const type = `${String(e.type).split('.').slice(0, 2).join('.')}.fuzzed-${h.option % 97}`;
      Object.assign(e, { type, dataschema: dataschemaFor(type, 1) });
      if (h.resign) reason = /unknown event type/;
      break;
    }
    case 'schema':
      [() => delete e.correlationid, () => (e.streamversion = 0), () => (e.fuzzed = true), () => (e.data = { ...(e.data as object), fuzzed: 1 })][h.option % 4]();
      if (h.resign) reason = /(not a valid Interlink event envelope|does not match its schema)/;
      break;
    case 'nul':
      put('\u0000');
      if (h.resign) reason = /cannot be stored/;
      break;
    case 'lone-surrogate':
      put('\ud800');
      if (h.resign) reason = /cannot be stored/;
      break;
    case 'deep-data': {
      // Signing and JSON.stringify recurse, so what is signed stays shallow enough for them, and
      // deeper nesting is spliced into the text in place of a marker.
      const depth = h.resign ? 70 + (h.option % 900) : 70 + (h.option % 100_000);
      nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      e.data = { ...(e.data as object), nested: h.resign ? JSON.parse(nested) : NESTED };
      if (h.resign) reason = /does not match its schema/;
      break;
    }
    case 'odd-time':
      e.time = h.resign ? REFUSED_TIMES[h.option % REFUSED_TIMES.length] : ODD_TIMES[h.option % ODD_TIMES.length];
      if (h.resign) reason = /not a valid Interlink event envelope/;
      break;
  }
  if (key !== null && h.variant !== 'wrong-message-key') key = Buffer.from(String(e.subject));
  if (!signer) {
    // Hashes need no key: a forger recomputes them, and only the signature gives the forgery away.
    try {
      e.datahash = payloadDigest(e.data);
    } catch {
      // Nested too deep to digest: the stale digest stays.
    }
    e.hash = eventHash(e);
  }
  const envelope = signer ? sealAs(signer, e) : e;
  const text = JSON.stringify(envelope);
  const value = Buffer.from(nested && !signer ? text.replace(JSON.stringify(NESTED), nested) : text);
  const subject = typeof e.subject === 'string' && !/[\u0000\ud800-\udfff]/.test(e.subject) ? e.subject : undefined;
  const expect =
    t.kind === 'archive'
      ? { archived: h.variant === 'nul' || h.variant === 'lone-surrogate' ? /cannot store/ : h.variant === 'deep-data' ? /nested more than/ : null }
      : onEvents(reason, holds && subject !== undefined);
  return {
    partition: t.partitionOf(key) ?? h.option % t.partitions,
    key,
    value,
    headers: genuine.headers,
    expect,
    ...(subject !== undefined && !holds ? { claims: subject } : {}),
  };
}

function forgeKey(h: Extract<Hostile, { kind: 'key-forged' | 'key-tombstone' | 'key-replay' }>, t: TargetView, chosen: <T>(list: T[], n: number) => T): Materialised {
  const genuine = t.genuine.length > 0 ? chosen(t.genuine, h.pick) : undefined;
  if (h.kind === 'key-replay' && genuine) return { ...genuine, expect: { keyRefused: true } };
  // With no genuine delivery on the topic to copy or to name, it forges the erasure of a record
  // nobody holds, which must not leave it marked erased either (a later delivery would be refused).
  const erasure = h.kind !== 'key-forged' || (!genuine && !AUTHENTICATING_KEY_TOPICS.includes(t.name));
  const ref = !genuine || (h.kind === 'key-forged' && h.fresh) ? uuidv7() : genuine.key!.toString();
  const key = erasure ? null : randomBytes(32);
  const value = key === null ? null : Buffer.from(JSON.stringify({ ref, key: key.toString('base64') }));
  const statement = { owner: t.sender, recipient: t.recipient, ref, key, time: new Date().toISOString() };
  const another = t.genuine.find((g) => g.key && !g.key.equals(Buffer.from(ref)) && g.value !== null);
  const seals: Record<KeySeal, IHeaders> = {
    none: {},
    // Another agency's key, presented as the owner's: its key id still says whose it is.
    'other-agency': signKeyDelivery({ ...chosen(t.others, h.pick), agencyId: t.sender }, statement),
    // A genuine seal, of another delivery.
    copied: another?.headers ?? {},
    untrusted: signKeyDelivery({ ...t.signer, ...untrustedKey(t.sender, t.signer.keyId) }, statement),
  };
  return { partition: 0, key: Buffer.from(ref), value, headers: seals['seal' in h ? h.seal : 'none'], expect: { keyRefused: true } };
}

/** A key pair nobody trusts, presented under `keyId`. */
function untrustedKey(agencyId: string, keyId: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { agencyId, keyId, privateKey, publicKey };
}

/** Chains and signs an envelope as a relay would, alone in its batch. */
export function sealAs(key: SigningKey, envelope: Record<string, unknown>): EventEnvelope {
  const { hash: _h, prevhash: _p, datahash: _d, signature: _s, keyid: _k, ...bare } = envelope;
  const [chained] = chainBatch([{ ...bare, sequence: sequence++ } as unknown as EventEnvelope], GENESIS_HASH);
  return signBatch(key, [chained])[0] as EventEnvelope;
}

/** Why the archive cannot read a record's bytes as an envelope, or null when it can. */
function archiveReasonOf(value: Buffer): RegExp | null {
  if (value.length === 0) return /no value/;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return /not JSON/;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return /not an object/;
  return null;
}

/** How a description prints in a report. */
export function describeHostile(h: Hostile): string {
  const { to, kind, ...rest } = h;
  const shown = Object.entries(rest).map(([name, value]) => `${name}=${value instanceof Uint8Array ? `<${value.length} bytes>` : JSON.stringify(value)}`);
  return `${kind} to ${to}${shown.length ? ` (${shown.join(', ')})` : ''}`;
}
