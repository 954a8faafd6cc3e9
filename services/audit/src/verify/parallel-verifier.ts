import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SignatureCache, TrustStore } from '@interlink/security';
import { ChainLinker, LogRecord, VerificationReport } from './chain-verifier';
import { Inspected, inspectValues } from './inspection';
import { CheckedRun, ChunkAnswer, ChunkRequest, WorkerReady, WorkerSetup } from './worker-protocol';

export interface ParallelVerifyOptions {
  /** Worker threads (default: the cores Node may use). */
  workers?: number;
  /** Records per chunk sent to a worker (default 1,000). */
  chunkSize?: number;
  range?: { from?: number; to?: number };
  /** Called with the number of records linked so far, every 10,000. */
  progress?: (records: number) => void;
  /**
   * Records this thread checks itself before the workers start (default 20,000): a small log is
   * checked sooner here than threads take to start. Until a worker is ready it goes on checking.
   * 0 starts the workers at once and leaves every chunk to them.
   */
  workersAfter?: number;
}

/** How a verification shared its chunks out. */
export interface ChunkShares {
  /** Chunks this thread checked, before the workers started or while none was ready. */
  here: number;
  /** Chunks the workers checked. */
  workers: number;
  /** Of those, the chunks answered and linked as one checked run (see CheckedRun). */
  runs: number;
}

/**
 * The ChainVerifier's verification on several cores: worker threads read and check chunks of
 * consecutive records, each event on its own (JSON, hashes, payload digest, batch signature);
 * this thread links their answers in log order with the same ChainLinker, so the report is the
 * one ChainVerifier gives. Chunks go out round robin, at most two per worker ahead of the linking,
 * and it stops reading at the first problem. The first `workersAfter` records, and any until a
 * worker is ready, this thread checks itself: a small log is not kept waiting for threads to start.
 */
export class ParallelChainVerifier {
  private readonly workers: number;
  private readonly chunkSize: number;
  private readonly range: { from?: number; to?: number };
  private readonly workersAfter: number;
  /** How the last verification shared its chunks out. */
  readonly shares: ChunkShares = { here: 0, workers: 0, runs: 0 };
  private pool?: WorkerPool;

  constructor(
    private readonly trust: TrustStore,
    readonly agency: string,
    private readonly options: ParallelVerifyOptions = {},
  ) {
    this.workers = Math.max(1, options.workers ?? availableParallelism());
    this.chunkSize = Math.max(1, options.chunkSize ?? 1000);
    this.range = options.range ?? {};
    this.workersAfter = Math.max(0, options.workersAfter ?? 20_000);
  }

  async verify(records: AsyncIterable<LogRecord> | Iterable<LogRecord>): Promise<VerificationReport> {
    const linker = new ChainLinker(this.agency, this.range);
    this.shares.here = 0;
    this.shares.workers = 0;
    this.shares.runs = 0;
    if (this.workersAfter === 0) this.startWorkers();
    const inFlight: { records: LogRecord[]; answer: Promise<Inspected[] | CheckedRun> }[] = [];
    const cache = new SignatureCache();
    let linked = 0;
    let going = true;
    const counted = (n: number) => {
      const before = linked;
      linked += n;
      if (Math.floor(before / 10_000) !== Math.floor(linked / 10_000)) this.options.progress?.(linked);
    };
    const linkNext = async () => {
      const { records, answer } = inFlight.shift()!;
      const answered = await answer;
      if (!Array.isArray(answered) && linker.takeRun(answered)) {
        this.shares.runs++;
        counted(answered.count);
        return;
      }
      // A run that does not simply follow what was linked (a republished batch, a range's start)
      // is linked record by record, as the sequential verifier does, from checks made here again.
      const inspected = Array.isArray(answered) ? answered : this.inspectHere(records, cache);
      for (let i = 0; i < inspected.length && going; i++) {
        const record = inspected[i];
        going = linker.push(record, records[i].position, () => record.checks ?? missingChecks(record));
        counted(1);
      }
    };
    try {
      let chunk: LogRecord[] = [];
      let read = 0;
      const send = async () => {
        const records = chunk;
        const pool = this.pool;
        if (pool && (pool.online > 0 || this.workersAfter === 0)) {
          this.shares.workers++;
          inFlight.push({ records, answer: pool.inspect(chunk) });
        } else {
          this.shares.here++;
          inFlight.push({ records, answer: Promise.resolve(this.inspectHere(records, cache)) });
          if (!pool && read >= this.workersAfter) this.startWorkers();
          // Lets a worker's "ready" through: a log read from memory never waits otherwise.
          if (this.pool) await new Promise((resolve) => setImmediate(resolve));
        }
        chunk = [];
      };
      for await (const record of records) {
        chunk.push(record);
        read++;
        if (chunk.length < this.chunkSize) continue;
        await send();
        while (going && inFlight.length >= 2 * this.workers) await linkNext();
        if (!going) break;
      }
      if (going && chunk.length > 0) await send();
      while (going && inFlight.length > 0) await linkNext();
      return linker.finish();
    } finally {
      // Answers no longer wanted are dropped with their workers.
      for (const pending of inFlight) pending.answer.catch(() => undefined);
      const pool = this.pool;
      this.pool = undefined;
      await pool?.close();
    }
  }

  private inspectHere(records: LogRecord[], cache: SignatureCache): Inspected[] {
    return inspectValues(
      records.map((r) => r.value),
      this.agency,
      this.range,
      this.trust,
      cache,
    );
  }

  private startWorkers(): void {
    this.pool = new WorkerPool(this.workers, this.setup());
  }

  /** How many of the workers of the verification under way are up (0 before it starts and after it ends). */
  get workersUp(): number {
    return this.pool?.online ?? 0;
  }

  private setup(): WorkerSetup {
    const keys = this.trust.keyIds().map((keyId) => {
      const key = this.trust.get(keyId)!;
      return {
        agencyId: key.agencyId,
        keyId,
        spki: new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })),
        ...(key.notAfter ? { notAfter: key.notAfter.toISOString() } : {}),
      };
    });
    return { agency: this.agency, range: this.range, keys };
  }
}

/** Checks are made for every record in range; linking asks for none outside it. */
function missingChecks(record: Inspected): never {
  throw new Error(`internal: no checks were made for sequence ${record.sequence}`);
}

/** Worker threads answering chunks in the order they were sent to each. */
class WorkerPool {
  private readonly threads: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (answer: Inspected[] | CheckedRun) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failed?: Error;
  /** The threads that have said they are ready, in that order; chunks go round robin among them. */
  private readonly up: Worker[] = [];

  constructor(size: number, setup: WorkerSetup) {
    const { file, execArgv } = workerScript();
    for (let i = 0; i < size; i++) {
      const thread = new Worker(file, { workerData: setup, ...(execArgv ? { execArgv } : {}) });
      thread.on('message', (answer: ChunkAnswer | WorkerReady) => {
        if ('ready' in answer) {
          this.up.push(thread);
          return;
        }
        const waiter = this.waiting.get(answer.chunk);
        this.waiting.delete(answer.chunk);
        if ('error' in answer) waiter?.reject(new Error(`a verify worker failed on its chunk: ${answer.error}`));
        else waiter?.resolve('run' in answer ? answer.run : answer.inspected);
      });
      thread.on('error', (error) => this.fail(error));
      thread.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a verify worker exited with code ${code}`));
      });
      this.threads.push(thread);
    }
  }

  /** How many workers are up. */
  get online(): number {
    return this.up.length;
  }

  /** The inspections of `records`, or the run they make, from the next worker in turn (once one is up). */
  inspect(records: LogRecord[]): Promise<Inspected[] | CheckedRun> {
    if (this.failed) return Promise.reject(this.failed);
    const chunk = this.next++;
    const lengths = new Int32Array(records.length);
    let total = 0;
    records.forEach((r, i) => {
      lengths[i] = r.value === null ? -1 : r.value.length;
      total += r.value?.length ?? 0;
    });
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const r of records) {
      if (r.value) bytes.set(r.value, offset);
      offset += r.value?.length ?? 0;
    }
    const request: ChunkRequest = { chunk, bytes: bytes.buffer, lengths };
    const answer = new Promise<Inspected[] | CheckedRun>((resolve, reject) => this.waiting.set(chunk, { resolve, reject }));
    // Before any worker is up, a message waits in the port of the first one started.
    const threads = this.up.length > 0 ? this.up : this.threads;
    threads[chunk % threads.length].postMessage(request, [bytes.buffer, lengths.buffer]);
    return answer;
  }

  async close(): Promise<void> {
    this.failed ??= new Error('the verify workers were stopped');
    await Promise.all(this.threads.map((t) => t.terminate()));
    for (const waiter of this.waiting.values()) waiter.reject(this.failed);
    this.waiting.clear();
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * The worker's script: compiled JavaScript beside this file in a build, else the TypeScript
 * source, loaded through @swc-node/register as the services are in development and tests.
 */
function workerScript(): { file: string; execArgv?: string[] } {
  // Without execArgv a worker inherits the process's options, leaving out those a thread cannot
  // have (such as --max-old-space-size); passed explicitly, those would stop it from starting.
  const compiled = path.join(__dirname, 'verify-worker.js');
  if (!__filename.endsWith('.ts')) return { file: compiled };
  const register = process.execArgv.some((arg) => arg.includes('@swc-node/register'));
  return { file: path.join(__dirname, 'verify-worker.ts'), ...(register ? {} : { execArgv: ['-r', '@swc-node/register'] }) };
}
