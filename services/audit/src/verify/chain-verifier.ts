import { GENESIS_HASH, SignatureCache, TrustStore } from '@interlink/security';
import { Checks, Inspected, checkEnvelope, inspectRecord } from './inspection';

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
 *
 * The checks of each event on its own are made here, when linking needs them; ChainLinker does
 * the rest, and ParallelChainVerifier feeds it checks made on other threads.
 */
export class ChainVerifier {
  private readonly linker: ChainLinker;
  private readonly cache = new SignatureCache();

  constructor(
    private readonly trust: TrustStore,
    readonly agency: string,
    range: { from?: number; to?: number } = {},
  ) {
    this.linker = new ChainLinker(agency, range);
  }

  /** Feeds the next record; false once a problem is found (or the range is done). */
  push(record: LogRecord): boolean {
    const { inspected, envelope } = inspectRecord(record.value);
    return this.linker.push(inspected, record.position, () => checkEnvelope(envelope!, this.agency, this.trust, this.cache));
  }

  /** The report, once every record has been pushed. */
  finish(): VerificationReport {
    return this.linker.finish();
  }
}

/**
 * The order of a log: sequence numbers without gaps, links from each event to the one before,
 * republished duplicates recognised, early records told apart from missing ones. Each record comes
 * inspected (see inspection.ts); the checks of the event itself are asked for only where they
 * decide something.
 */
export class ChainLinker {
  private expected: number;
  private lastHash: string | undefined;
  private readonly seen = new RecentHashes(DUPLICATE_MEMORY);
  private ahead?: { sequence: number; position: string; scanned: number };
  private readonly result: VerificationReport;

  constructor(
    readonly agency: string,
    private readonly range: { from?: number; to?: number } = {},
  ) {
    this.expected = range.from ?? 1;
    this.lastHash = this.expected === 1 ? GENESIS_HASH : undefined;
    this.result = { agency, ok: true, verified: 0, duplicates: 0 };
  }

  /** Feeds the next record; false once a problem is found (or the range is done). */
  push(record: Inspected, position: string, checksOf: () => Checks): boolean {
    if (!this.result.ok) return false;
    if (record.malformed) return this.fail('malformed', undefined, position, record.malformed);
    const seq = record.sequence;
    if (this.range.from !== undefined && seq < this.range.from) {
      if (seq === this.range.from - 1 && typeof record.hash === 'string') this.lastHash = record.hash;
      return true;
    }
    if (this.range.to !== undefined && seq > this.range.to && !this.ahead) return false;

    if (this.ahead) {
      if (seq === this.expected) {
        return this.fail('reordered', seq, position, `sequence ${seq} is stored after sequence ${this.ahead.sequence} (at ${this.ahead.position})`);
      }
      if (++this.ahead.scanned > REORDER_WINDOW) return this.missing();
      return true;
    }
    if (seq < this.expected) {
      const earlier = this.seen.get(seq);
      if (earlier !== undefined && record.hash === earlier) {
        // A faithful copy of the event verified with that hash, not merely one claiming its hash.
        const checks = checksOf();
        if (checks.hashMatches && checks.payloadIntact) {
          this.result.duplicates++;
          return true;
        }
      }
      if (earlier !== undefined) return this.fail('inserted', seq, position, `a second, different event claims sequence ${seq}`);
      return this.fail('reordered', seq, position, `sequence ${seq} is stored after sequence ${this.expected - 1}`);
    }
    if (seq > this.expected) {
      this.ahead = { sequence: seq, position, scanned: 0 };
      return true;
    }
    return this.check(record, checksOf(), position);
  }

  /**
   * Links a run of events checked together (see CheckedRun) as `push` would link them one by one,
   * when that is plain: it is next in the log and follows the last event linked. Returns false,
   * having changed nothing, in any other case; the caller then pushes its records one by one.
   */
  takeRun(run: { first: number; count: number; prevhash: string; hashes: string }): boolean {
    const last = run.first + run.count - 1;
    if (!this.result.ok || this.ahead || run.first !== this.expected) return false;
    if ((this.range.from !== undefined && run.first < this.range.from) || (this.range.to !== undefined && last > this.range.to)) return false;
    if (this.lastHash !== undefined && run.prevhash !== this.lastHash) return false;
    const hashes = run.hashes.split('\n');
    if (hashes.length !== run.count) return false;
    for (let i = 0; i < hashes.length; i++) this.seen.add(run.first + i, hashes[i]);
    this.lastHash = hashes[hashes.length - 1];
    this.result.firstSequence ??= run.first;
    this.result.lastSequence = last;
    this.result.verified += run.count;
    this.expected = last + 1;
    return true;
  }

  /** The report, once every record has been pushed. */
  finish(): VerificationReport {
    if (this.result.ok && this.ahead) this.missing();
    return this.result;
  }

  private check(record: Inspected, checks: Checks, position: string): boolean {
    const { sequence: seq, id } = record;
    if (checks.foreignSource !== undefined) {
      return this.fail('inserted', seq, position, `event ${id} claims to come from ${checks.foreignSource}, not from ${this.agency}`);
    }
    if (!checks.canonical) return this.fail('malformed', seq, position, `event ${id} cannot be put in canonical form`);
    if (!checks.hashMatches) {
      return this.fail('edited', seq, position, `event ${id}: its attributes no longer match its hash (it was changed after it was sealed)`);
    }
    if (!checks.payloadIntact) {
      return this.fail('edited', seq, position, `event ${id}: its payload no longer matches its data hash (it was changed after it was sealed)`);
    }
    if (this.lastHash !== undefined && record.prevhash !== this.lastHash) {
      return this.fail('inserted', seq, position, `event ${id} does not follow the event before it (its prevhash is not that event's hash)`);
    }
    if (!checks.signature?.ok) return this.fail('badly-signed', seq, position, checks.signature?.reason ?? `event ${id}: its signature was not checked`);

    this.lastHash = record.hash as string;
    this.seen.add(seq, this.lastHash);
    this.result.firstSequence ??= seq;
    this.result.lastSequence = seq;
    this.result.verified++;
    this.expected = seq + 1;
    return true;
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

/**
 * The hashes of the last `size` events verified, by sequence number. Verified sequences are
 * consecutive, so a ring holds them. (A Map trimmed by deleting its oldest key slowed down with
 * every event past `size`: its iterator walks over the deleted entries before the first live one.)
 */
export class RecentHashes {
  private readonly ring: string[];
  private oldest = 0;
  private newest = -1;

  constructor(private readonly size: number) {
    this.ring = new Array<string>(size);
  }

  /** Records the hash of `sequence`, the one after the last added (or the first). */
  add(sequence: number, hash: string): void {
    if (this.newest >= this.oldest && sequence !== this.newest + 1) {
      throw new Error(`internal: sequence ${sequence} added after ${this.newest}; verified sequences are consecutive`);
    }
    if (this.newest < this.oldest) this.oldest = sequence;
    this.newest = sequence;
    this.oldest = Math.max(this.oldest, sequence - this.size + 1);
    this.ring[sequence % this.size] = hash;
  }

  /** The hash recorded for `sequence`, if it is among the last `size` added. */
  get(sequence: number): string | undefined {
    return sequence >= this.oldest && sequence <= this.newest ? this.ring[sequence % this.size] : undefined;
  }
}
