import { DataSource, EntityManager } from 'typeorm';
import { EventStore, LOG_START, LogFollower, LogPosition, StoredEvent, compareLogPositions } from '@interlink/event-store';
import { readCatalog, writeTables } from './bulk-write';
import { MemoryTables, NotFoldableError } from './memory-tables';
import { Projection, personalDataReadBy } from './projection';

export interface ProjectionRunnerOptions {
  /** Database URL of the agency, for LISTEN. */
  databaseUrl: string;
  /** Events per transaction (default 500). */
  batchSize?: number;
  /** Longest wait for a notification before looking anyway, in ms (default 1000). */
  pollIntervalMs?: number;
  onError?: (error: Error, projection: string) => void;
  /** First wait before a failing batch is tried again, doubled after each failure up to `maxMs` (default 100 ms to 30 s). */
  retry?: { initialMs?: number; maxMs?: number };
  /** Events per read when a rebuild folds the log in memory (default 5000). */
  foldBatchSize?: number;
  /**
   * Rows a rebuild may hold in memory (default PROJECTION_REBUILD_MAX_ROWS, else 3,000,000);
   * past it, what it holds is written out and the rest is applied event by event.
   */
  maxRowsInMemory?: number;
  /** How the rebuild says that it left the in-memory path, and why (default console.warn). */
  log?: (message: string) => void;
  /**
   * Connections a rebuild writes its folded rows over at once (default 2): Postgres turns the
   * rows' JSON into table rows on as many cores, and Node mostly waits meanwhile.
   */
  writeConnections?: number;
}

/** The rows a rebuild holds in memory unless told otherwise: a few million rows of a few hundred bytes. */
export function maxRowsInMemory(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PROJECTION_REBUILD_MAX_ROWS;
  if (raw === undefined || raw === '') return 3_000_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`PROJECTION_REBUILD_MAX_ROWS must be a whole number of rows, not "${raw}"`);
  return n;
}

/** A projection that cannot apply its next batch, and why; it is retried with growing pauses. */
export interface ProjectionFailure {
  projection: string;
  /** The event it could not apply; absent when the batch failed before any handler ran (reading the log). */
  event?: { id: string; type: string; position: LogPosition };
  /** Where its checkpoint stands, when known: the batch after this position fails. */
  after?: LogPosition;
  reason: string;
  attempts: number;
  since: Date;
  nextAttemptAt: Date;
}

/** A batch failed: names the projection, the event (if a handler failed on one) and the reason. */
export class ProjectionError extends Error {
  constructor(
    readonly projection: string,
    readonly after: LogPosition,
    readonly reason: string,
    readonly event?: { id: string; type: string; position: LogPosition },
  ) {
    const what = event
      ? `cannot apply event ${event.id} (${event.type}) at log position ${event.position.txId}/${event.position.position}`
      : `cannot read the log after position ${after.txId}/${after.position}`;
    super(`projection ${projection} ${what}: ${reason}`);
    this.name = 'ProjectionError';
  }
}

const LIVE_SCHEMA = 'public';

const errorReason = (error: unknown) => (error instanceof Error ? error.message : String(error));

function lockKey(name: string): string {
  return `projection:${name}`;
}

/**
 * Keeps projections up to date from the agency's log. Each batch of events and the
 * projection's checkpoint commit in one transaction, so a read model is never ahead of or
 * behind what its checkpoint says. `rebuild` replays the whole log into fresh tables in a
 * separate schema while the live tables keep serving, then swaps them in one transaction.
 */
export class ProjectionRunner {
  private readonly projections = new Map<string, Projection>();
  private readonly batchSize: number;
  private follower?: LogFollower;
  private readonly failing = new Map<string, ProjectionFailure>();
  private readonly foldBatchSize: number;
  /** What a read for each set of projections opens (see personalDataReadBy), by their names. */
  private readonly opened = new Map<string, (type: string) => boolean>();
  private readonly writeConnections: number;
  private readonly maxRows: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    projections: Projection[],
    private readonly options: ProjectionRunnerOptions,
  ) {
    for (const p of projections) {
      if (this.projections.has(p.name)) throw new Error(`projection "${p.name}" is registered twice`);
      this.projections.set(p.name, p);
    }
    this.batchSize = options.batchSize ?? 500;
    this.foldBatchSize = options.foldBatchSize ?? 5000;
    this.writeConnections = Math.max(1, options.writeConnections ?? 2);
    this.maxRows = options.maxRowsInMemory ?? maxRowsInMemory();
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /** Creates missing read-model tables. */
  async createTables(): Promise<void> {
    for (const projection of this.projections.values()) {
      await this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(projection.name)]);
        const [{ exists }] = await m.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`${LIVE_SCHEMA}.${projection.tables[0]}`]);
        if (!exists) await this.createIn(m, LIVE_SCHEMA, projection);
      });
    }
  }

  async start(): Promise<void> {
    await this.createTables();
    this.follower = new LogFollower(
      { databaseUrl: this.options.databaseUrl, pollIntervalMs: this.options.pollIntervalMs ?? 1000 },
      () => this.step(),
    );
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  /**
   * One batch for every projection; true when any of them may have more. The projections whose
   * last batch applied share one transaction and one read of the log (see processGroup). A
   * projection whose batch failed goes alone once its pause is over, and waits it out until then
   * (the others go on), so a batch that fails every time is neither retried in a hot loop nor
   * given up: it is reported until it applies.
   */
  private async step(): Promise<boolean> {
    const now = Date.now();
    const due = [...this.projections.values()].filter((p) => (this.failing.get(p.name)?.nextAttemptAt.getTime() ?? 0) <= now);
    const healthy = due.filter((p) => !this.failing.has(p.name));
    const alone = due.filter((p) => this.failing.has(p.name));
    let busy = false;
    if (healthy.length > 1) {
      const group = await this.stepGroup(healthy);
      busy = group.busy;
      alone.push(...group.alone);
    } else {
      alone.unshift(...healthy);
    }
    for (const projection of alone) {
      try {
        busy = (await this.processBatch(projection)) === this.batchSize || busy;
        this.failing.delete(projection.name);
      } catch (error) {
        this.fail(projection.name, error as Error);
      }
    }
    return busy;
  }

  /**
   * processGroup for the step: a failure of one projection's handler is recorded against it alone
   * and the step reports more work, so that the others go on at once without it; any other
   * failure (reading the log, the database) is recorded against each of them.
   */
  private async stepGroup(projections: Projection[]): Promise<{ busy: boolean; alone: Projection[] }> {
    const checkpoints = new Map<string, LogPosition>();
    try {
      const read = await this.processGroup(projections, checkpoints);
      return { busy: read.count === this.batchSize, alone: read.ahead };
    } catch (error) {
      if (error instanceof ProjectionError && error.event) {
        this.fail(error.projection, error);
        return { busy: true, alone: [] };
      }
      for (const { name } of projections) this.fail(name, new ProjectionError(name, checkpoints.get(name) ?? LOG_START, errorReason(error)));
      return { busy: false, alone: [] };
    }
  }

  private fail(name: string, error: Error): void {
    const { attempts, pauseMs } = this.recordFailure(name, error);
    this.options.onError?.(new Error(`${error.message} (attempt ${attempts}; next in ${(pauseMs / 1000).toFixed(1)} s)`), name);
  }

  private recordFailure(name: string, error: Error): { attempts: number; pauseMs: number } {
    const earlier = this.failing.get(name);
    const attempts = (earlier?.attempts ?? 0) + 1;
    const { initialMs = 100, maxMs = 30_000 } = this.options.retry ?? {};
    const pauseMs = Math.min(initialMs * 2 ** (attempts - 1), maxMs);
    const failure: ProjectionFailure = {
      projection: name,
      ...(error instanceof ProjectionError && error.event ? { event: error.event } : {}),
      ...(error instanceof ProjectionError ? { after: error.after } : {}),
      reason: error instanceof ProjectionError ? error.reason : error.message,
      attempts,
      since: earlier?.since ?? new Date(),
      nextAttemptAt: new Date(Date.now() + pauseMs),
    };
    this.failing.set(name, failure);
    return { attempts, pauseMs };
  }

  /** The projections whose next batch fails, with the event and the reason: for readiness and operators. */
  failures(): ProjectionFailure[] {
    return [...this.failing.values()];
  }

  private projection(name: string): Projection {
    const found = this.projections.get(name);
    if (!found) throw new Error(`no projection "${name}"; known: ${[...this.projections.keys()].join(', ')}`);
    return found;
  }

  /** Applies the next batch to the live tables; returns how many events it read. */
  async processBatch(projection: Projection): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const after = (await this.beginBatch(m, [projection.name])).get(projection.name) ?? LOG_START;
      const read = await this.apply(projection, after, m);
      if (read.count > 0) await this.saveCheckpoints(m, [projection.name], read.position, false);
      return read.count;
    });
  }

  /**
   * The next batch of several projections in one transaction, with one read of the log: from the
   * checkpoint furthest behind, every projection applying, event by event, those after its own
   * checkpoint. All that moved end at the same checkpoint, so projections kept in step share each
   * later read. Returns how many events it read, and the projections it could not move because
   * a full batch ended before their checkpoint (one far behind, e.g. new): they go alone until it
   * has caught up. `checkpoints` is filled with where each stood. Throws ProjectionError.
   */
  async processGroup(projections: Projection[], checkpoints = new Map<string, LogPosition>()): Promise<{ count: number; ahead: Projection[] }> {
    const sorted = [...projections].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.dataSource.transaction(async (m) => {
      const stored = await this.beginBatch(m, sorted.map((p) => p.name));
      const positions = sorted.map((p) => stored.get(p.name) ?? LOG_START);
      sorted.forEach((p, i) => checkpoints.set(p.name, positions[i]));
      const from = positions.reduce((min, p) => (compareLogPositions(p, min) < 0 ? p : min));
      let events: StoredEvent[];
      try {
        events = await this.store.readLog(from, { limit: this.batchSize, manager: m, open: this.opens(sorted) });
      } catch (error) {
        throw new Error(errorReason(error));
      }
      for (const { envelope, logPosition } of events) {
        for (const [i, projection] of sorted.entries()) {
          const handler = projection.handlers[envelope.type];
          if (!handler || compareLogPositions(logPosition, positions[i]) <= 0) continue;
          try {
            await handler(envelope, m);
          } catch (error) {
            throw new ProjectionError(projection.name, positions[i], errorReason(error), { id: envelope.id, type: envelope.type, position: logPosition });
          }
        }
      }
      if (!events.length) return { count: 0, ahead: [] };
      const last = events[events.length - 1].logPosition;
      const moved = sorted.filter((_, i) => compareLogPositions(last, positions[i]) > 0);
      if (moved.length) await this.saveCheckpoints(m, moved.map((p) => p.name), last, false);
      const ahead = events.length === this.batchSize ? sorted.filter((_, i) => compareLogPositions(last, positions[i]) <= 0) : [];
      return { count: events.length, ahead };
    });
  }

  /** Which events a read of the log for these projections opens: their personal data the handlers read. */
  private opens(projections: Projection[]): (type: string) => boolean {
    const key = projections.map((p) => p.name).join(',');
    let opens = this.opened.get(key);
    if (!opens) this.opened.set(key, (opens = personalDataReadBy(projections)));
    return opens;
  }

  /** Takes the projections' locks, in the order given, and reads their checkpoints: one statement (migration projections/002). */
  private async beginBatch(m: EntityManager, names: string[]): Promise<Map<string, LogPosition>> {
    const rows: { cp_projection: string; cp_tx_id: string; cp_position: string }[] = await m.query(
      `SELECT cp_projection, cp_tx_id, cp_position FROM interlink.begin_projection_batch($1::text[])`,
      [names],
    );
    return new Map(rows.map((row) => [row.cp_projection, { txId: row.cp_tx_id, position: row.cp_position }]));
  }

  /**
   * Runs projections (all, or the one named) until they have applied everything a reader can
   * see now: a command that decides on a read model calls it first to read its own writes.
   */
  async catchUp(name?: string): Promise<void> {
    const projections = name ? [this.projection(name)] : [...this.projections.values()];
    for (const projection of projections) {
      while ((await this.processBatch(projection)) === this.batchSize);
    }
  }

  /** Reads events after `after` with `m` (before it writes) and applies them; one batch. Throws ProjectionError. */
  private async apply(projection: Projection, after: LogPosition, m: EntityManager): Promise<{ count: number; position: LogPosition }> {
    let events: StoredEvent[];
    try {
      events = await this.store.readLog(after, { limit: this.batchSize, manager: m, open: this.opens([projection]) });
    } catch (error) {
      throw new ProjectionError(projection.name, after, errorReason(error));
    }
    for (const { envelope, logPosition } of events) {
      const handler = projection.handlers[envelope.type];
      try {
        if (handler) await handler(envelope, m);
      } catch (error) {
        throw new ProjectionError(projection.name, after, errorReason(error), { id: envelope.id, type: envelope.type, position: logPosition });
      }
    }
    return { count: events.length, position: events.length ? events[events.length - 1].logPosition : after };
  }

  async checkpoint(name: string, manager: EntityManager = this.dataSource.manager): Promise<LogPosition> {
    const rows: { tx_id: string; position: string }[] = await manager.query(
      `SELECT tx_id::text, position::text FROM interlink.projection_checkpoints WHERE projection = $1`,
      [name],
    );
    return rows.length ? { txId: rows[0].tx_id, position: rows[0].position } : LOG_START;
  }

  private async saveCheckpoints(m: EntityManager, names: string[], at: LogPosition, rebuilt: boolean): Promise<void> {
    await m.query(
      `INSERT INTO interlink.projection_checkpoints (projection, tx_id, position, rebuilt_at, updated_at)
       SELECT name, $2::text::xid8, $3, CASE WHEN $4 THEN now() END, now() FROM unnest($1::text[]) AS name
       ON CONFLICT (projection) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position,
         rebuilt_at = coalesce(excluded.rebuilt_at, interlink.projection_checkpoints.rebuilt_at), updated_at = now()`,
      [names, at.txId, at.position, rebuilt],
    );
  }

  private async createIn(m: EntityManager, schema: string, projection: Projection): Promise<void> {
    await m.query(`SET LOCAL search_path TO "${schema}"`);
    for (const ddl of projection.schema) await m.query(ddl);
    await m.query(`SET LOCAL search_path TO DEFAULT`);
  }

  /** Whether the projection has applied everything up to `position`. */
  async hasReached(name: string, position: LogPosition): Promise<boolean> {
    return compareLogPositions(await this.checkpoint(name), position) >= 0;
  }

  /**
   * Rebuilds a projection from the start of the log into fresh tables in schema
   * `rebuild_<name>`, while the live tables keep serving, then swaps the new tables in and
   * moves the checkpoint in one transaction. The log is folded through the projection's handlers
   * in memory and the rows written in bulk (see `fold`); the events that arrive meanwhile are
   * applied event by event under the projection's lock, just before the swap. Returns how many
   * events were replayed.
   */
  async rebuild(name: string): Promise<number> {
    const projection = this.projection(name);
    const shadow = `rebuild_${name}`;
    const retired = `retired_${name}`;
    await this.dataSource.query(`DROP SCHEMA IF EXISTS "${shadow}" CASCADE`);
    await this.dataSource.query(`CREATE SCHEMA "${shadow}"`);
    await this.dataSource.transaction((m) => this.createIn(m, shadow, projection));

    let { position, replayed } = await this.fold(projection, shadow);
    const batchIntoShadow = (m: EntityManager) =>
      m.query(`SET LOCAL search_path TO "${shadow}", ${LIVE_SCHEMA}`).then(() => this.apply(projection, position, m));
    for (;;) {
      const read = await this.dataSource.transaction(batchIntoShadow);
      position = read.position;
      replayed += read.count;
      if (read.count < this.batchSize) break;
    }
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(name)]);
      for (;;) {
        const read = await batchIntoShadow(m);
        position = read.position;
        replayed += read.count;
        if (read.count < this.batchSize) break;
      }
      await m.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
      await m.query(`CREATE SCHEMA "${retired}"`);
      for (const table of projection.tables) {
        await m.query(`ALTER TABLE IF EXISTS ${LIVE_SCHEMA}."${table}" SET SCHEMA "${retired}"`);
        await m.query(`ALTER TABLE "${shadow}"."${table}" SET SCHEMA ${LIVE_SCHEMA}`);
      }
      await m.query(`SET LOCAL search_path TO DEFAULT`);
      await this.saveCheckpoints(m, [name], position, true);
    });
    await this.dataSource.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
    await this.dataSource.query(`DROP SCHEMA IF EXISTS "${shadow}" CASCADE`);
    return replayed;
  }

  /**
   * Folds the log into the shadow tables: batches of `foldBatchSize` events (the next one read
   * while this one is applied) through the projection's own handlers over MemoryTables, then
   * every row written in bulk. Returns where it stopped; the caller applies the rest event by
   * event. A projection that needs the database (NotFoldableError) is left to that path from the
   * start, and one that outgrows `maxRowsInMemory` from where it outgrew it: both are logged.
   */
  private async fold(projection: Projection, shadow: string): Promise<{ position: LogPosition; replayed: number }> {
    const tables = new MemoryTables(projection.name, this.dataSource, await readCatalog(this.dataSource.manager, shadow, projection.tables));
    const read = (after: LogPosition) => this.store.readLog(after, { limit: this.foldBatchSize, open: this.opens([projection]) });
    let position = LOG_START;
    let replayed = 0;
    let next: Promise<StoredEvent[]> | undefined = read(position);
    try {
      while (next) {
        let events: StoredEvent[];
        try {
          events = await next;
        } catch (error) {
          throw new ProjectionError(projection.name, position, error instanceof Error ? error.message : String(error));
        }
        next = events.length === this.foldBatchSize ? read(events[events.length - 1].logPosition) : undefined;
        for (const { envelope, logPosition } of events) {
          const handler = projection.handlers[envelope.type];
          try {
            if (handler) await handler(envelope, tables.manager);
          } catch (error) {
            if (error instanceof NotFoldableError) {
              this.log(`rebuild of ${projection.name}: ${error.message}; replaying the log event by event instead`);
              return { position: LOG_START, replayed: 0 };
            }
            throw new ProjectionError(projection.name, position, errorReason(error), { id: envelope.id, type: envelope.type, position: logPosition });
          }
          position = logPosition;
          replayed++;
        }
        if (next && tables.rowCount > this.maxRows) {
          this.log(
            `rebuild of ${projection.name}: ${tables.rowCount} rows held in memory, more than the ${this.maxRows} allowed (PROJECTION_REBUILD_MAX_ROWS); ` +
              `writing them out and applying the rest of the log event by event`,
          );
          break;
        }
      }
    } finally {
      // A read already under way when the fold stopped early must not fail unheard.
      next?.catch(() => undefined);
    }
    // The shadow schema is the rebuild's alone until the swap: its rows may go over several
    // connections, each INSERT on its own, and a failure leaves it to be dropped by the next rebuild.
    await writeTables(this.dataSource, shadow, tables, this.writeConnections);
    return { position, replayed };
  }
}
