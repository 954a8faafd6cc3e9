import { GENESIS_HASH, SignatureCache, TrustStore, eventHash, isWithheld, payloadDigest, verifyEnvelope } from '@interlink/security';

export type Problem = 'edited' | 'missing' | 'inserted' | 'reordered' | 'badly-signed' | 'malformed';

export interface LogRecord {
  /** Where the record sits, for the report, e.g. `intel.police.audit[0]@17` or `archive row 17`. */
  position: string;
  value: Buffer | null;
}

export interface VerificationReport {
  agency: string;
  ok: boolean;
  /** Events whose hash, link and signature were checked. */
  verified: number;
  /** Records that repeat an event already verified (the relay republishes after a crash). */
  duplicates: number;
  firstSequence?: number;
  lastSequence?: number;
  problem?: { kind: Problem; sequence?: number; position: string; detail: string };
}

/** How far a record may come early before the ones it jumped count as missing rather than reordered. */
const REORDER_WINDOW = 1000;
/** How many recent hashes are kept to recognise republished duplicates. */
const DUPLICATE_MEMORY = 100_000;

/**
 * Checks an agency's published log, record by record in the order it was stored: sequence
 * numbers without gaps, each event's hash over its canonical header, its payload digest, the
 * link to the event before it, and the signature of its batch. Stops at the first problem and
 * names it: edited, missing, inserted, reordered, badly signed or malformed.
 */
export class ChainVerifier {
  private expected: number;
  private lastHash: string | undefined;
  private readonly seen = new Map<number, string>();
  private readonly cache = new SignatureCache();
  private ahead?: { sequence: number; position: string; scanned: number };
  private readonly result: VerificationReport;

  constructor(
    private readonly trust: TrustStore,
    readonly agency: string,
    private readonly range: { from?: number; to?: number } = {},
  ) {
    this.expected = range.from ?? 1;
    this.lastHash = this.expected === 1 ? GENESIS_HASH : undefined;
    this.result = { agency, ok: true, verified: 0, duplicates: 0 };
  }

  /** Feeds the next record; false once a problem is found (or the range is done). */
  push(record: LogRecord): boolean {
    if (!this.result.ok) return false;
    let envelope: Record<string, unknown>;
    try {
      envelope = JSON.parse(record.value?.toString('utf8') ?? '');
      if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) throw new Error('not an object');
    } catch {
      return this.fail('malformed', undefined, record.position, 'the record is not a JSON event');
    }
    const sequence = envelope.sequence;
    if (!Number.isSafeInteger(sequence) || (sequence as number) < 1) {
      return this.fail('malformed', undefined, record.position, 'the record has no sequence number');
    }
    const seq = sequence as number;
    if (this.range.from !== undefined && seq < this.range.from) {
      if (seq === this.range.from - 1 && typeof envelope.hash === 'string') this.lastHash = envelope.hash;
      return true;
    }
    if (this.range.to !== undefined && seq > this.range.to && !this.ahead) return false;

    if (this.ahead) {
      if (seq === this.expected) {
        return this.fail('reordered', seq, record.position, `sequence ${seq} is stored after sequence ${this.ahead.sequence} (at ${this.ahead.position})`);
      }
      if (++this.ahead.scanned > REORDER_WINDOW) return this.missing();
      return true;
    }
    if (seq < this.expected) {
      const earlier = this.seen.get(seq);
      if (earlier !== undefined && this.repeats(envelope, earlier)) {
        this.result.duplicates++;
        return true;
      }
      if (earlier !== undefined) return this.fail('inserted', seq, record.position, `a second, different event claims sequence ${seq}`);
      return this.fail('reordered', seq, record.position, `sequence ${seq} is stored after sequence ${this.expected - 1}`);
    }
    if (seq > this.expected) {
      this.ahead = { sequence: seq, position: record.position, scanned: 0 };
      return true;
    }
    return this.check(envelope, seq, record.position);
  }

  /** The report, once every record has been pushed. */
  finish(): VerificationReport {
    if (this.result.ok && this.ahead) this.missing();
    return this.result;
  }

  private check(envelope: Record<string, unknown>, seq: number, position: string): boolean {
    const id = typeof envelope.id === 'string' ? envelope.id : '?';
    if (envelope.source !== `/agencies/${this.agency}`) {
      return this.fail('inserted', seq, position, `event ${id} claims to come from ${String(envelope.source)}, not from ${this.agency}`);
    }
    let recomputed: string;
    try {
      recomputed = eventHash(envelope);
    } catch {
      return this.fail('malformed', seq, position, `event ${id} cannot be put in canonical form`);
    }
    if (recomputed !== envelope.hash) {
      return this.fail('edited', seq, position, `event ${id}: its attributes no longer match its hash (it was changed after it was sealed)`);
    }
    if (envelope.data !== undefined && !isWithheld(envelope) && !this.payloadIntact(envelope)) {
      return this.fail('edited', seq, position, `event ${id}: its payload no longer matches its data hash (it was changed after it was sealed)`);
    }
    if (this.lastHash !== undefined && envelope.prevhash !== this.lastHash) {
      return this.fail('inserted', seq, position, `event ${id} does not follow the event before it (its prevhash is not that event's hash)`);
    }
    // Both hashes were checked just above; the signature check need not recompute them.
    const signed = verifyEnvelope(this.trust, envelope, this.agency, this.cache, { hashChecked: true });
    if (!signed.ok) return this.fail('badly-signed', seq, position, signed.reason);

    this.lastHash = envelope.hash as string;
    this.seen.set(seq, this.lastHash);
    if (this.seen.size > DUPLICATE_MEMORY) this.seen.delete(this.seen.keys().next().value as number);
    this.result.firstSequence ??= seq;
    this.result.lastSequence = seq;
    this.result.verified++;
    this.expected = seq + 1;
    return true;
  }

  /** Whether a record is a faithful copy of the event verified with `hash` (not merely claiming its hash). */
  private repeats(envelope: Record<string, unknown>, hash: string): boolean {
    try {
      const payloadIntact = envelope.data === undefined || isWithheld(envelope) || this.payloadIntact(envelope);
      return envelope.hash === hash && eventHash(envelope) === hash && payloadIntact;
    } catch {
      return false;
    }
  }

  /** Whether the payload digests to `datahash`; a payload with no canonical form does not. */
  private payloadIntact(envelope: Record<string, unknown>): boolean {
    try {
      return payloadDigest(envelope.data) === envelope.datahash;
    } catch {
      return false;
    }
  }

  private missing(): boolean {
    const last = this.ahead!.sequence - 1;
    const gap = last === this.expected ? `sequence ${this.expected} is missing` : `sequences ${this.expected} to ${last} are missing`;
    return this.fail('missing', this.expected, `before ${this.ahead!.position}`, gap);
  }

  private fail(kind: Problem, sequence: number | undefined, position: string, detail: string): false {
    this.result.ok = false;
    this.result.problem = { kind, ...(sequence !== undefined ? { sequence } : {}), position, detail };
    return false;
  }
}
