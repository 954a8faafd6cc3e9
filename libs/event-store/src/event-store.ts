import { DataSource, EntityManager } from 'typeorm';
import {
  Classification,
  ContractViolation,
  Decider,
  DomainEvent,
  EventEnvelope,
  EventRegistry,
  agencySource,
  dataschemaFor,
  forEachPersonalPart,
  isSealedPart,
  isWithheldPart,
  uuidv7,
} from '@interlink/contracts';
import { openDataInPlace, sealData, sealedRefs } from '@interlink/security';
import { currentTraceContext, inSpan, traced } from '@interlink/observability';
import { countAppended, countCommittedAppends } from './append-metrics';
import { DataKeys } from './data-keys';
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
  /** Open sealed personal data with the agency's keys (default). The relay publishes it sealed. */
  open?: boolean;
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

/** Events per INSERT statement of an append (four parameters each, of Postgres's 65,535). */
const INSERT_ROWS = 5000;

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
    if (!streamLocked) await this.lockStream(streamId, manager);
    const version = loadedVersion ?? (await this.versionUnlessReplayed(manager, streamId, ids));
    if (typeof version === 'object') return version;
    if (expectedVersion !== 'any' && expectedVersion !== version) {
      throw new ConcurrencyError(streamId, expectedVersion, version);
    }
    return this.insert(manager, streamId, version, ids, events, context);
  }

  /** The stream's version, or the result of the append that stored these event ids before (a retry). */
  private async versionUnlessReplayed(manager: EntityManager, streamId: string, ids: string[]): Promise<number | AppendResult> {
    // One round trip: events already stored under these ids, and the stream's version.
    const [{ version, existing }]: { version: number; existing: Row[] | null }[] = await manager.query(
      `SELECT (SELECT coalesce(max(stream_version), 0)::int FROM interlink.events WHERE stream_id = $2) AS version,
              (SELECT json_agg(json_build_object('tx_id', tx_id::text, 'position', position::text, 'envelope', envelope) ORDER BY position)
                 FROM interlink.events WHERE id = ANY($1::uuid[])) AS existing`,
      [ids, streamId],
    );
    return existing ? this.replayedAppend(manager, streamId, ids, existing) : version;
  }

  private async insert(
    manager: EntityManager,
    streamId: string,
    version: number,
    ids: string[],
    events: EventToAppend[],
    context: AppendContext,
  ): Promise<AppendResult> {
    const source = agencySource(this.agencyId);
    const now = new Date().toISOString();
    const trace = currentTraceContext();
    const envelopes: EventEnvelope[] = events.map((event, i) => {
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
        streamversion: version + i + 1,
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

    // Personal data is stored sealed, each person record under its own key (crypto-shredding).
    const stored = (await this.seal(manager, envelopes)).map((e) => JSON.stringify(e));
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
      const rows = part.map((_, i) => `($${4 * i + 2}::uuid, $1, $${4 * i + 3}::int, $${4 * i + 4}, $${4 * i + 5}::jsonb)`);
      await manager.query(
        `WITH inserted AS (
           INSERT INTO interlink.events (id, stream_id, stream_version, type, envelope) VALUES ${rows.join(', ')}
           RETURNING 1)
         SELECT pg_notify($${4 * part.length + 2}, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row`,
        [streamId, ...part.flatMap((e, i) => [ids[from + i], e.streamversion, e.type, stored[from + i]]), EVENTS_CHANNEL],
      );
    }
    countAppended(manager, this.agencyId, envelopes.map((e) => e.type));
    return { streamVersion: version + events.length, events: envelopes, duplicate: false };
  }

  /** The envelopes with the personal data their types declare sealed under the agency's keys. */
  private async seal(manager: EntityManager, envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    const refs = new Set<string>();
    const specs = envelopes.map((e) => this.registry.definition(e.type).personal ?? []);
    envelopes.forEach((e, i) =>
      forEachPersonalPart(e.data, specs[i], (part, ref) => {
        if (!isSealedPart(part) && !isWithheldPart(part)) refs.add(ref);
      }),
    );
    if (refs.size === 0) return envelopes;
    const keys = await this.keys.forSealing(manager, this.agencyId, refs);
    return envelopes.map((e, i) => (specs[i].length ? { ...e, data: sealData(e.data, specs[i], (ref) => keys.get(ref)!) } : e));
  }

  /**
   * Opens the sealed personal data of envelopes just read from this store; an erased record reads
   * as erased. Nobody else holds what the driver has just parsed, so the parts are opened where
   * they lie, without a copy of each payload.
   */
  private async open(manager: EntityManager, envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    const refs = new Set<string>();
    for (const e of envelopes) sealedRefs(e.data, refs);
    if (refs.size === 0) return envelopes;
    const keys = await this.keys.find(manager, this.agencyId, refs);
    for (const e of envelopes) e.data = openDataInPlace(e.data, (ref) => keys.get(ref));
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

  /** The stream's events in order, upcast to their current versions. */
  async readStream(streamId: string, options: { fromVersion?: number; manager?: EntityManager } = {}): Promise<EventEnvelope[]> {
    const manager = options.manager ?? this.dataSource.manager;
    const rows: Row[] = await manager.query(
      `SELECT envelope FROM interlink.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
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
    const envelopes = open ? await this.open(manager, rows.map((row) => row.envelope)) : rows.map((row) => row.envelope);
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

  /** Folds a stream through a decider's `evolve`: the state and the version it is at. */
  async load<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    manager?: EntityManager,
  ): Promise<{ state: S; version: number }> {
    const events = await this.readStream(streamId, { manager });
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
      await this.lockStream(streamId, m);
      const { state, version } = await this.load(decider, streamId, m);
      const events = decider.decide(command, state);
      if (events.length === 0) return { streamVersion: version, events: [], duplicate: false };
      return this.append(streamId, version, events, context, m, { streamLocked: true, loadedVersion: version });
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }
}
