import { DataSource, EntityManager } from 'typeorm';
import {
  Classification,
  ContractViolation,
  Decider,
  DomainEvent,
  EventEnvelope,
  EventRegistry,
  PersonalDataSpec,
  agencySource,
  dataschemaFor,
  forEachPersonalPart,
  isSealedPart,
  isWithheldPart,
  uuidv7,
} from '@interlink/contracts';
import { newDataKey, openDataInPlace, sealData, sealedRefs } from '@interlink/security';
import { currentTraceContext, inSpan, traced } from '@interlink/observability';
import { countAppended, countCommittedAppends } from './append-metrics';
import { DataKeys, sealingKeys } from './data-keys';
import { ConcurrencyError, IdempotencyError } from './errors';
import { LOG_START, LogPosition } from './log-position';
import { EVENTS_CHANNEL } from './schema';

/**
 * The largest event the store takes, as stored (personal data sealed). The relay publishes each
 * event as one Kafka message, and a broker refuses a message over its message.max.bytes (1 MiB by
 * default) for good: the relay would retry it for ever. The margin leaves room for what the relay
 * adds (sequence, hashes, the batch signature with its inclusion proof).
 */
export const MAX_EVENT_BYTES = 900 * 1024;

/** Marking, provenance and causality shared by the events one command produces. */
export interface AppendContext {
  correlationId: string;
  causationId: string;
  actor: string;
  classification: Classification;
  handling?: string[];
  releasableTo?: string[];
}

export interface EventToAppend<D = unknown> extends DomainEvent<string, D> {
  /** Supply a stable id to make a retried append a no-op; a UUIDv7 is made otherwise. */
  id?: string;
  /** When it happened; now by default. */
  time?: string;
  /** Overrides the context's marking for this event. */
  classification?: Classification;
  releasableTo?: string[];
}

export interface StoredEvent<D = unknown> {
  logPosition: LogPosition;
  envelope: EventEnvelope<D>;
}

export interface AppendResult {
  /** The stream's version after the append. */
  streamVersion: number;
  events: EventEnvelope[];
  /** True when every event was already stored by an earlier identical append. */
  duplicate: boolean;
}

export interface ReadLogOptions {
  /** Most events to return (default 500). */
  limit?: number;
  manager?: EntityManager;
  /** Lift old versions to current ones (default). The relay publishes events as written. */
  upcast?: boolean;
  /**
   * Open sealed personal data with the agency's keys (default), or only that of the events whose
   * stored type the function accepts; the others keep theirs sealed. The relay publishes it sealed.
   */
  open?: boolean | ((type: string) => boolean);
}

/** `any` skips the concurrency check; a number is the version the stream must be at (0: new). */
export type ExpectedVersion = number | 'any';

interface Row {
  tx_id: string;
  position: string;
  envelope: EventEnvelope;
}

/**
 * How the store upcasts what it reads of its own log: every event was validated when it was
 * appended, and the log is append-only (triggers refuse changes), so an event at its type's
 * current version is not validated again on each read (over half the CPU of reading the log);
 * an older one is validated once lifted to the current version. Events from elsewhere (partners,
 * the auditors' archives) are validated in full where they are received.
 */
export const STORED = { validated: true } as const;

/**
 * Resolves once a query just started has gone to Postgres: the driver sends it after a few
 * microtask turns, and work done synchronously before then would run before the query is sent
 * instead of while Postgres works on it.
 */
const queryOnItsWay = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Events per INSERT statement of an append (four parameters each, of Postgres's 65,535). */
const INSERT_ROWS = 5000;

/** The INSERT's text of each number of events up to INSERT_TEXTS_KEPT: the same text each time, so the connection keeps it prepared. */
const INSERT_TEXTS_KEPT = 128;
const insertSqlBySize = new Map<number, string>();

/** The INSERT of `rows` events into one stream, with the notification that wakes readers (delivered at commit). */
function insertSql(rows: number): string {
  let sql = insertSqlBySize.get(rows);
  if (sql === undefined) {
    const values = Array.from({ length: rows }, (_, i) => `($${4 * i + 2}::uuid, $1, $${4 * i + 3}::int, $${4 * i + 4}, $${4 * i + 5}::jsonb)`);
    sql = `WITH inserted AS (
             INSERT INTO interlink.events (id, stream_id, stream_version, type, envelope) VALUES ${values.join(', ')}
             RETURNING 1)
           SELECT pg_notify($${4 * rows + 2}, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row`;
    if (rows <= INSERT_TEXTS_KEPT) insertSqlBySize.set(rows, sql);
  }
  return sql;
}

const PREPARE_APPEND_SQL = `SELECT version, existing, refs, keys FROM interlink.prepare_append($1, $2::uuid[], $3, $4, $5, $6::uuid[], $7::bytea[])`;

/**
 * An agency's append-only event store in its own Postgres database. Every method can join a
 * caller's transaction (pass its EntityManager) so an append and its effects commit together.
 */
export class EventStore {
  readonly keys = new DataKeys();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: EventRegistry,
    readonly agencyId: string,
  ) {
    countCommittedAppends(dataSource);
  }

  async append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: EventToAppend[],
    context: AppendContext,
    manager?: EntityManager,
    /**
     * `streamLocked`: the caller took lockStream in this transaction (and savepoint) already.
     * `loadedVersion` (with `streamLocked`): the caller read the stream at this version under the
     * lock, and the events are new (ids derived from a command or a consumed event that was not
     * applied before): the check for a retried append is skipped. The unique constraints on event
     * ids and stream versions still refuse a duplicate outright.
     */
    options: { streamLocked?: boolean; loadedVersion?: number } = {},
  ): Promise<AppendResult> {
    if (events.length === 0) {
      throw new Error(`append to stream "${streamId}" was given no events`);
    }
    const locked = options.streamLocked === true && manager !== undefined;
    const run = (m: EntityManager) => this.appendIn(m, streamId, expectedVersion, events, context, locked, locked ? options.loadedVersion : undefined);
    const append = () => (manager ? run(manager) : this.dataSource.transaction(run));
    // Traced work (a command, a policy) gets a span whose context the events record as their traceparent.
    if (!traced()) return append();
    return inSpan('append', { attributes: { 'interlink.agency': this.agencyId, 'interlink.stream': streamId, 'interlink.events': events.length } }, append);
  }

  private async appendIn(
    manager: EntityManager,
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: EventToAppend[],
    context: AppendContext,
    streamLocked: boolean,
    loadedVersion: number | undefined,
  ): Promise<AppendResult> {
    const ids = events.map((e) => e.id ?? uuidv7());
    const toSeal = this.refsToSealChecked(streamId, ids, events, context);
    if (loadedVersion !== undefined && toSeal.refs.size === 0) {
      // The caller locked the stream and read it at this version, and nothing is to be sealed:
      // no round trip before the insert.
      const envelopes = this.envelopes(streamId, ids, events, context);
      if (expectedVersion !== 'any' && expectedVersion !== loadedVersion) throw new ConcurrencyError(streamId, expectedVersion, loadedVersion);
      envelopes.forEach((e, i) => (e.streamversion = loadedVersion + i + 1));
      return this.insert(manager, streamId, loadedVersion, ids, envelopes, envelopes);
    }
    // One round trip prepares the append (lock unless held, version, a retry's stored events,
    // data keys: personal data is stored sealed, each person record under its own key). While
    // Postgres works on it, the events are checked and sealed with the fresh keys it is asked to
    // store; a record that had a key already is sealed again with that key. A refused event
    // throws once the round trip is over, and its transaction stores nothing. The look for a
    // retry's events is skipped after a load at `loadedVersion` (the events are new) and when no
    // event came with an id (ids made here cannot have been stored before).
    const fresh = new Map([...toSeal.refs].map((ref) => [ref, newDataKey()]));
    const retriable = loadedVersion === undefined && events.some((e) => e.id !== undefined);
    const preparing = this.prepare(manager, streamId, retriable ? ids : [], !streamLocked, expectedVersion, fresh);
    // Handled here so that a failure while this waits is not an unhandled rejection; awaited below.
    preparing.catch(() => undefined);
    await queryOnItsWay();
    let envelopes: EventEnvelope[];
    let sealed: EventEnvelope[];
    try {
      envelopes = this.envelopes(streamId, ids, events, context);
      sealed = fresh.size > 0 ? this.seal(envelopes, toSeal.specs, fresh) : envelopes;
    } catch (error) {
      // The check's error is the one to report; the transaction is rolled back either way.
      await preparing.catch(() => undefined);
      throw error;
    }
    const prepared = await preparing;
    if (prepared.existing) return this.replayedAppend(manager, streamId, ids, prepared.existing);
    const version = prepared.version;
    if (expectedVersion !== 'any' && expectedVersion !== version) throw new ConcurrencyError(streamId, expectedVersion, version);
    const held = prepared.keys;
    if (held && [...fresh].some(([ref, key]) => !held.get(ref)!.equals(key))) sealed = this.seal(envelopes, toSeal.specs, held);
    for (const list of [envelopes, sealed]) list.forEach((e, i) => (e.streamversion = version + i + 1));
    return this.insert(manager, streamId, version, ids, envelopes, sealed);
  }

  /**
   * In one round trip (interlink.prepare_append): the stream's lock unless held, its version,
   * the events stored already under these ids (a retry), and, when the append goes ahead at the
   * expected version, the keys to seal with (`fresh` stored for the records that had none).
   */
  private async prepare(
    manager: EntityManager,
    streamId: string,
    ids: string[],
    lock: boolean,
    expectedVersion: ExpectedVersion,
    fresh: Map<string, Buffer>,
  ): Promise<{ version: number; existing: Row[] | null; keys?: Map<string, Buffer> }> {
    const [row]: { version: number; existing: Row[] | null; refs: string[] | null; keys: Buffer[] | null }[] = await manager.query(PREPARE_APPEND_SQL, [
      streamId,
      ids,
      lock,
      expectedVersion === 'any' ? null : expectedVersion,
      this.agencyId,
      [...fresh.keys()],
      [...fresh.values()],
    ]);
    if (row.existing || !row.refs) return { version: row.version, existing: row.existing };
    const held = new Map<string, Buffer | null>(row.refs.map((ref, i) => [ref, row.keys![i]]));
    return { version: row.version, existing: null, keys: sealingKeys(this.agencyId, fresh.keys(), held) };
  }

  /** refsToSeal of events not checked yet: where their data is too malformed to look into, the check's own error. */
  private refsToSealChecked(streamId: string, ids: string[], events: EventToAppend[], context: AppendContext): ReturnType<EventStore['refsToSeal']> {
    try {
      return this.refsToSeal(events);
    } catch (error) {
      this.envelopes(streamId, ids, events, context);
      throw error;
    }
  }

  /** The envelopes of an append, validated; their stream versions are set once the stream's version is known. */
  private envelopes(streamId: string, ids: string[], events: EventToAppend[], context: AppendContext): EventEnvelope[] {
    const source = agencySource(this.agencyId);
    const now = new Date().toISOString();
    const trace = currentTraceContext();
    return events.map((event, i) => {
      const envelope: EventEnvelope = {
        specversion: '1.0',
        id: ids[i],
        source,
        type: event.type,
        dataschema: dataschemaFor(event.type, this.registry.currentVersion(event.type)),
        subject: streamId,
        time: event.time ?? now,
        datacontenttype: 'application/json',
        data: event.data,
        // Any version from 1 validates alike; the real one is set before the insert.
        streamversion: i + 1,
        correlationid: context.correlationId,
        causationid: context.causationId,
        actor: context.actor,
        classification: event.classification ?? context.classification,
        handling: (context.handling ?? []).join(','),
        releasableto: (event.releasableTo ?? context.releasableTo ?? []).join(','),
        ...trace,
      };
      this.registry.validate(envelope);
      return envelope;
    });
  }

  /** The person records whose personal data these events hold unsealed, and each event's personal parts. */
  private refsToSeal(envelopes: { type: string; data: unknown }[]): { refs: Set<string>; specs: (readonly PersonalDataSpec[])[] } {
    const refs = new Set<string>();
    const specs = envelopes.map((e) => this.registry.definition(e.type).personal ?? []);
    envelopes.forEach((e, i) =>
      forEachPersonalPart(e.data, specs[i], (part, ref) => {
        if (!isSealedPart(part) && !isWithheldPart(part)) refs.add(ref);
      }),
    );
    return { refs, specs };
  }

  /** The envelopes with the personal data their types declare sealed under these keys. */
  private seal(envelopes: EventEnvelope[], specs: (readonly PersonalDataSpec[])[], keys: Map<string, Buffer>): EventEnvelope[] {
    return envelopes.map((e, i) => (specs[i].length ? { ...e, data: sealData(e.data, specs[i], (ref) => keys.get(ref)!) } : e));
  }

  /** Inserts the envelopes (`sealed`: as stored) after `version` of the stream. */
  private async insert(
    manager: EntityManager,
    streamId: string,
    version: number,
    ids: string[],
    envelopes: EventEnvelope[],
    sealed: EventEnvelope[],
  ): Promise<AppendResult> {
    const stored = sealed.map((e) => JSON.stringify(e));
    stored.forEach((json, i) => {
      const bytes = Buffer.byteLength(json);
      if (bytes > MAX_EVENT_BYTES) {
        throw new ContractViolation(
          `the event ${envelopes[i].type} would take ${bytes} bytes, more than the ${MAX_EVENT_BYTES} an event may take on Kafka; record it as several smaller commands`,
        );
      }
    });
    // The insert and the notification that wakes readers (delivered at commit) in one round trip.
    // A row of parameters per event: each envelope goes to Postgres as its own text, where a
    // jsonb[] array would be escaped into one array literal in Node and parsed again in Postgres
    // (about a fifth of the insert's time for 100 events). Postgres takes at most 65,535
    // parameters, so a very large append is inserted in parts.
    for (let from = 0; from < envelopes.length; from += INSERT_ROWS) {
      const part = envelopes.slice(from, from + INSERT_ROWS);
      const values = [streamId, ...part.flatMap((e, i) => [ids[from + i], e.streamversion, e.type, stored[from + i]]), EVENTS_CHANNEL];
      await manager.query(insertSql(part.length), values);
    }
    countAppended(manager, this.agencyId, envelopes.map((e) => e.type));
    return { streamVersion: version + envelopes.length, events: envelopes, duplicate: false };
  }

  /**
   * Opens the sealed personal data of envelopes just read from this store; an erased record reads
   * as erased. Nobody else holds what the driver has just parsed, so the parts are opened where
   * they lie, without a copy of each payload. With `which`, only the envelopes of the types it accepts.
   */
  private async open(manager: EntityManager, envelopes: EventEnvelope[], which?: (type: string) => boolean): Promise<EventEnvelope[]> {
    const chosen = which ? envelopes.filter((e) => which(e.type)) : envelopes;
    const refs = new Set<string>();
    for (const e of chosen) sealedRefs(e.data, refs);
    if (refs.size === 0) return envelopes;
    const keys = await this.keys.find(manager, this.agencyId, refs);
    for (const e of chosen) e.data = openDataInPlace(e.data, (ref) => keys.get(ref));
    return envelopes;
  }

  private async replayedAppend(manager: EntityManager, streamId: string, ids: string[], existing: Row[]): Promise<AppendResult> {
    const byId = new Map(existing.map((row) => [row.envelope.id, row.envelope]));
    const stored = ids.map((id) => byId.get(id));
    if (stored.some((e) => e === undefined) || stored.some((e) => e!.subject !== streamId)) {
      throw new IdempotencyError(
        `append to stream "${streamId}" reuses event ids that were stored with other events or another stream; ` +
          `a retry must send exactly the events of the first attempt`,
      );
    }
    const envelopes = await this.open(manager, stored as EventEnvelope[]);
    return { streamVersion: Math.max(...envelopes.map((e) => e.streamversion)), events: envelopes, duplicate: true };
  }

  /**
   * Serialises writers of one stream until the transaction of `manager` ends; other streams are
   * not blocked, and a transaction may take it again. Taken before loading a stream to decide on
   * it, it makes load, decide and append one step, so writers that do not state an expected
   * version (commands and policies deciding on the current state) wait for each other instead of
   * failing with a ConcurrencyError.
   */
  async lockStream(streamId: string, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`stream:${streamId}`]);
  }

  /** The trace context recorded on the first event of a stream (where its case thread began), if any. */
  async traceContextOf(streamId: string, manager?: EntityManager): Promise<{ traceparent?: string; tracestate?: string } | undefined> {
    const rows: { traceparent: string | null; tracestate: string | null }[] = await (manager ?? this.dataSource.manager).query(
      `SELECT envelope->>'traceparent' AS traceparent, envelope->>'tracestate' AS tracestate
         FROM interlink.events WHERE stream_id = $1 ORDER BY stream_version LIMIT 1`,
      [streamId],
    );
    if (!rows[0]?.traceparent) return undefined;
    return { traceparent: rows[0].traceparent, ...(rows[0].tracestate ? { tracestate: rows[0].tracestate } : {}) };
  }

  /**
   * The stream's events in order, upcast to their current versions. With `lock` (in the
   * transaction of `manager`), takes lockStream first and reads what is committed once it is
   * granted, in the same round trip (interlink.lock_and_read_stream).
   */
  async readStream(streamId: string, options: { fromVersion?: number; manager?: EntityManager; lock?: boolean } = {}): Promise<EventEnvelope[]> {
    if (options.lock && !options.manager) throw new Error(`reading stream "${streamId}" under its lock needs the transaction's EntityManager`);
    const manager = options.manager ?? this.dataSource.manager;
    const rows: Row[] = await manager.query(
      options.lock
        ? `SELECT envelope FROM interlink.lock_and_read_stream($1, $2)`
        : `SELECT envelope FROM interlink.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
      [streamId, options.fromVersion ?? 1],
    );
    return (await this.open(manager, rows.map((row) => row.envelope))).map((envelope) => this.registry.upcast(envelope, STORED));
  }

  /**
   * The next events of the agency's log after `after`, in log order. Only transactions older than
   * the oldest one still in flight that could write to this log are read (see the migration
   * event-store/003-log-horizon), so an event that commits late is never skipped.
   */
  async readLog(after: LogPosition = LOG_START, options: ReadLogOptions = {}): Promise<StoredEvent[]> {
    const { limit = 500, upcast = true, open = true } = options;
    const manager = options.manager ?? this.dataSource.manager;
    const rows: Row[] = await manager.query(
      `SELECT tx_id::text, position::text, envelope FROM interlink.events
        WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
          AND tx_id < (SELECT interlink.log_horizon())
        ORDER BY events.tx_id, events.position
        LIMIT $3`,
      [after.txId, after.position, limit],
    );
    const stored = rows.map((row) => row.envelope);
    const envelopes = open === false ? stored : await this.open(manager, stored, open === true ? undefined : open);
    return rows.map((row, i) => ({
      logPosition: { txId: row.tx_id, position: row.position },
      envelope: upcast ? this.registry.upcast(envelopes[i], STORED) : envelopes[i],
    }));
  }

  /** The log position of the newest event a reader may see now. */
  async head(manager?: EntityManager): Promise<LogPosition> {
    const rows: { tx_id: string; position: string }[] = await (manager ?? this.dataSource.manager).query(
      `SELECT tx_id::text, position::text FROM interlink.events
        WHERE tx_id < (SELECT interlink.log_horizon())
        ORDER BY events.tx_id DESC, events.position DESC LIMIT 1`,
    );
    return rows.length ? { txId: rows[0].tx_id, position: rows[0].position } : LOG_START;
  }

  /**
   * Folds a stream through a decider's `evolve`: the state and the version it is at. With `lock`,
   * the stream is locked in the transaction of `manager` first (see readStream).
   */
  async load<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    manager?: EntityManager,
    options: { lock?: boolean } = {},
  ): Promise<{ state: S; version: number }> {
    const events = await this.readStream(streamId, { manager, lock: options.lock });
    const state = events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState());
    return { state, version: events.length ? events[events.length - 1].streamversion : 0 };
  }

  /**
   * Runs a command against a stream: lock it, load, decide, append with the version that was
   * loaded. Concurrent decisions on one stream take turns.
   */
  async decide<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    command: C,
    context: AppendContext,
    manager?: EntityManager,
  ): Promise<AppendResult> {
    const run = async (m: EntityManager): Promise<AppendResult> => {
      const { state, version } = await this.load(decider, streamId, m, { lock: true });
      const events = decider.decide(command, state);
      if (events.length === 0) return { streamVersion: version, events: [], duplicate: false };
      return this.append(streamId, version, events, context, m, { streamLocked: true, loadedVersion: version });
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }
}
