import { SignatureCache, TrustStore, eventHash, isWithheld, payloadDigest, verifyEnvelope } from '@interlink/security';
import type { CheckedRun } from './worker-protocol';

/**
 * What verification needs of one record, read without regard to the records around it: whether
 * it is an event at all, its place in the log and its links. The checks of the event itself
 * (Checks) are separate, so that they can be made lazily (ChainVerifier) or ahead, on other
 * threads (ParallelChainVerifier). Plain data: it crosses to and from worker threads.
 */
export interface Inspected {
  /** Set when the record is no event: what is wrong with it. */
  malformed?: string;
  /** The event's sequence number (a safe integer from 1 when not malformed). */
  sequence: number;
  id: string;
  /** `hash` and `prevhash` as the record has them, whatever their type. */
  hash: unknown;
  prevhash: unknown;
  /** The checks of the event itself, where already made. */
  checks?: Checks;
}

/** The checks of one event on its own, in the order a problem is reported. */
export interface Checks {
  /** The `source` it claims, when that is not the verified agency's. */
  foreignSource?: string;
  /** Whether its attributes have a canonical form (so that its hash can be recomputed). */
  canonical: boolean;
  /** Whether the recomputed hash is the one it carries. */
  hashMatches: boolean;
  /** Whether its payload digests to its `datahash` (true when there is none, or it is withheld). */
  payloadIntact: boolean;
  /** The signature check, made only when everything above holds. */
  signature?: { ok: true } | { ok: false; reason: string };
}

/** A record read as JSON: what linking needs, and the envelope for the checks. */
export function inspectRecord(value: Buffer | null): { inspected: Inspected; envelope?: Record<string, unknown> } {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(value?.toString('utf8') ?? '');
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) throw new Error('not an object');
  } catch {
    return { inspected: { malformed: 'the record is not a JSON event', sequence: 0, id: '?', hash: undefined, prevhash: undefined } };
  }
  const sequence = envelope.sequence;
  const id = typeof envelope.id === 'string' ? envelope.id : '?';
  if (!Number.isSafeInteger(sequence) || (sequence as number) < 1) {
    return { inspected: { malformed: 'the record has no sequence number', sequence: 0, id, hash: undefined, prevhash: undefined } };
  }
  return { inspected: { sequence: sequence as number, id, hash: envelope.hash, prevhash: envelope.prevhash }, envelope };
}

/**
 * Checks one event of `agency`'s log on its own: its source, its hash over its canonical header,
 * its payload against `datahash`, and (when those hold) the signature of its batch.
 */
export function checkEnvelope(envelope: Record<string, unknown>, agency: string, trust: TrustStore, cache: SignatureCache): Checks {
  const foreignSource = envelope.source === `/agencies/${agency}` ? undefined : String(envelope.source);
  let canonical = true;
  let hashMatches = false;
  try {
    hashMatches = eventHash(envelope) === envelope.hash;
  } catch {
    canonical = false;
  }
  const payloadIntact = envelope.data === undefined || isWithheld(envelope) || digestMatches(envelope);
  const checks: Checks = { ...(foreignSource !== undefined ? { foreignSource } : {}), canonical, hashMatches, payloadIntact };
  if (foreignSource === undefined && hashMatches && payloadIntact) {
    // Both hashes were checked just above; the signature check need not recompute them.
    const signed = verifyEnvelope(trust, envelope, agency, cache, { hashChecked: true });
    checks.signature = signed.ok ? { ok: true } : { ok: false, reason: signed.reason };
  }
  return checks;
}

/** Whether the payload digests to `datahash`; a payload with no canonical form does not. */
function digestMatches(envelope: Record<string, unknown>): boolean {
  try {
    return payloadDigest(envelope.data) === envelope.datahash;
  } catch {
    return false;
  }
}

/** Whether checks of a record with this sequence number may be asked for (linking asks for none outside the range). */
function needsChecks(sequence: number, range: { from?: number; to?: number }): boolean {
  return (range.from === undefined || sequence >= range.from) && (range.to === undefined || sequence <= range.to);
}

/**
 * What a run of consecutive records is, each on its own: read, and checked where it lies in
 * `range` (a verify worker's whole job, and the main thread's while the workers start).
 */
export function inspectValues(
  values: Iterable<Buffer | null>,
  agency: string,
  range: { from?: number; to?: number },
  trust: TrustStore,
  cache: SignatureCache,
): Inspected[] {
  const inspected: Inspected[] = [];
  for (const value of values) {
    const { inspected: record, envelope } = inspectRecord(value);
    if (envelope && needsChecks(record.sequence, range)) record.checks = checkEnvelope(envelope, agency, trust, cache);
    inspected.push(record);
  }
  return inspected;
}

/**
 * The records as one CheckedRun when they are one (see there), else undefined: then linking needs
 * each record's inspection. Within the run each link is checked here, as ChainLinker would; where
 * the run starts in the log, and what came before it, linking checks (ChainLinker.takeRun).
 */
export function checkedRun(inspected: Inspected[], range: { from?: number; to?: number }): CheckedRun | undefined {
  if (inspected.length === 0) return undefined;
  let previous: string | undefined;
  for (const [i, record] of inspected.entries()) {
    const { checks } = record;
    if (record.malformed || !checks || !needsChecks(record.sequence, range)) return undefined;
    if (checks.foreignSource !== undefined || !checks.canonical || !checks.hashMatches || !checks.payloadIntact || !checks.signature?.ok) return undefined;
    if (typeof record.hash !== 'string' || typeof record.prevhash !== 'string') return undefined;
    if (i > 0 && (record.sequence !== inspected[0].sequence + i || record.prevhash !== previous)) return undefined;
    previous = record.hash;
  }
  return {
    first: inspected[0].sequence,
    count: inspected.length,
    prevhash: inspected[0].prevhash as string,
    hashes: inspected.map((r) => r.hash as string).join('\n'),
  };
}
