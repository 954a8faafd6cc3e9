import { EntityManager } from 'typeorm';
import { AgencyRole, Classification, Decider, DomainError, DomainEvent, EventEnvelope, PERSONAL_DATA_ERASED_TYPES, PersonalDataErased, deterministicUuid } from '@interlink/contracts';
import { AppendResult, EventStore, EventToAppend, ExpectedVersion } from '@interlink/event-store';
import { continuingTrace } from '@interlink/observability';
import { AgencyConfig, Partners } from './config';

/** How an event is marked: its TLP label and the partner roles it is released to. */
export interface Release {
  classification: Classification;
  to: (keyof Partners)[];
  handling?: string[];
  /** Exact agency ids instead of `to`, when the owner chose them (e.g. after a marking change). */
  agencies?: string[];
}

/**
 * Overrides of the case thread for events that continue another thread than the command's:
 * a border alert continues the police identification behind the watchlist entry it matched.
 */
export interface Thread {
  correlationId?: string;
  causationId?: string;
  /**
   * The stream whose first event began the continued thread: the events continue its trace too
   * (their traceparent), linked to the work that records them.
   */
  traceOf?: string;
}

/**
 * Where a command or a policy appends its events: inside one transaction, with the causality
 * of what triggered it and ids derived from that trigger, so that doing the same work again
 * (a client's retry, a redelivered event) appends nothing new.
 */
export class DecisionContext {
  private appended = 0;

  constructor(
    readonly manager: EntityManager,
    private readonly store: EventStore,
    private readonly config: AgencyConfig,
    private readonly causality: { correlationId: string; causationId: string; actor: string },
    /** Seed for event ids: a command id, or a consumed event id plus the policy's name. */
    private readonly idSeed: string,
  ) {}

  get agencyId(): string {
    return this.config.agencyId;
  }

  get correlationId(): string {
    return this.causality.correlationId;
  }

  /** Agency ids of the partner roles given. */
  partnersFor(roles: (keyof Partners)[]): string[] {
    return roles.map((role) => this.config.partners[role]).filter((id) => id !== this.config.agencyId);
  }

  async append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: DomainEvent[],
    release: Release,
    thread: Thread = {},
    /** Set by decide: the stream is locked and was read at `expectedVersion` in this transaction. */
    decided = false,
  ): Promise<AppendResult> {
    const withIds: EventToAppend[] = events.map((event) => ({ ...event, id: deterministicUuid(this.idSeed, String(this.appended++)) }));
    const { traceOf, ...causality } = thread;
    const append = () =>
      this.store.append(
        streamId,
        expectedVersion,
        withIds,
        {
          ...this.causality,
          ...causality,
          classification: release.classification,
          handling: release.handling,
          releasableTo: release.agencies ?? this.partnersFor(release.to),
        },
        this.manager,
        decided && typeof expectedVersion === 'number' ? { streamLocked: true, loadedVersion: expectedVersion } : {},
      );
    if (!traceOf) return append();
    return continuingTrace('continue thread', await this.store.traceContextOf(traceOf, this.manager), append);
  }

  /**
   * Lock the stream, load it, decide, append at the version loaded: concurrent decisions on one
   * stream (two officers, or an officer and a partner's event) take turns rather than conflict.
   * Returns the new events (none if the decider had nothing to say).
   */
  async decide<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    command: C,
    release: Release | ((event: E, state: S) => Release),
    thread: Thread = {},
  ): Promise<EventEnvelope[]> {
    const { state, version } = await this.store.load(decider, streamId, this.manager, { lock: true });
    const events = decider.decide(command, state);
    const appended: EventEnvelope[] = [];
    // Events of one decision may carry different markings, so each is appended with its own.
    let expected = version;
    for (const event of events) {
      const marking = typeof release === 'function' ? release(event, state) : release;
      const result = await this.append(streamId, expected, [event], marking, thread, true);
      expected = result.streamVersion;
      appended.push(...result.events);
    }
    return appended;
  }

  /**
   * Erases the personal data of one of this agency's person records: its data key is destroyed
   * in this transaction, and the erasure (ids only) goes to every partner, who destroy their copy
   * of the key and erase what they derived from the record. Returns undefined when this agency
   * holds no data under `ref`; refuses a record erased before.
   */
  async erasePersonalData(ref: string, reason: string, because?: PersonalDataErased['because']): Promise<EventEnvelope[] | undefined> {
    const type = PERSONAL_DATA_ERASED_TYPES[this.config.role as Exclude<AgencyRole, 'task-force' | 'audit'>];
    if (!type) throw new Error(`a ${this.config.role} agency holds no personal data to erase`);
    const [held] = [...(await this.store.keys.find(this.manager, this.agencyId, [ref])).entries()];
    if (!held) return undefined;
    if (held[1] === null) throw new DomainError('already-erased', `the personal data of record ${ref} was erased before`);
    await this.store.keys.erase(this.manager, this.agencyId, ref);
    const data: PersonalDataErased = { ref, reason, ...(because ? { because } : {}) };
    const result = await this.append(`personal-data-${ref}`, 0, [{ type, data }], {
      classification: 'AMBER',
      to: ['police', 'immigration', 'foreign-ministry', 'task-force'],
    });
    return result.events;
  }

  /** The current state of a stream, for a decision that spans streams. */
  load<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string): Promise<{ state: S; version: number }> {
    return this.store.load(decider, streamId, this.manager);
  }
}
