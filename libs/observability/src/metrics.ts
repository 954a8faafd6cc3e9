import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one registry of the process: every service and library counts into it, and `GET /metrics`
 * exposes it. Where tests run several services in one process, each series names its agency
 * (`agency`, or a consumer or topic name that holds it).
 */
export const metricsRegistry = new Registry();

const registers = [metricsRegistry];

export const eventsAppended = new Counter({
  name: 'interlink_events_appended_total',
  help: "Events appended to an agency's event store, counted when their transaction commits",
  labelNames: ['agency', 'type'] as const,
  registers,
});

export const eventsPublished = new Counter({
  name: 'interlink_events_published_total',
  help: 'Events the relay published to Kafka, per topic (one event goes to the topic of each recipient)',
  labelNames: ['topic'] as const,
  registers,
});

export const CONSUMED_OUTCOMES = ['applied', 'skipped', 'parked', 'archived'] as const;
export type ConsumedOutcome = (typeof CONSUMED_OUTCOMES)[number];

export const eventsConsumed = new Counter({
  name: 'interlink_events_consumed_total',
  help:
    'Messages a consumer took from Kafka, counted when its transaction commits, by outcome: applied; skipped, already applied ' +
    '(a redelivery); parked, with the reason, for an operator; archived (the auditors keep every record as it arrived)',
  labelNames: ['consumer', 'outcome'] as const,
  registers,
});

/** Counts a batch's messages by outcome, once its transaction has committed. */
export function countConsumed(consumer: string, counts: Partial<Record<ConsumedOutcome, number>>): void {
  for (const outcome of CONSUMED_OUTCOMES) {
    const count = counts[outcome];
    if (count) eventsConsumed.inc({ consumer, outcome }, count);
  }
}

export const httpRequestDuration = new Histogram({
  name: 'interlink_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern (e.g. /suspects/:id) and status, until the response was sent',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

/** Where the figures measured at scrape time come from: a running service registers one (see addScrapeSource). */
export interface ScrapeSource {
  /** How far each consumer is behind, per partition, from the brokers. */
  consumerLag?(): Promise<{ consumer: string; topic: string; partition: number; lag: number }[]>;
  /** The agency's relay: events recorded and not yet published (counted up to 10,000), and the last sequence published. */
  relay?(): Promise<{ agency: string; waiting: number; published: number }>;
  /** Parked events not yet resolved, per consumer. */
  parked?(): Promise<{ consumer: string; count: number }[]>;
}

const sources = new Set<ScrapeSource>();

/** Adds figures measured at each scrape; returns the function that removes them again (at shutdown). */
export function addScrapeSource(source: ScrapeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** A scrape answers with what it could measure: a source that fails or is slow leaves its series out. */
const SOURCE_TIMEOUT_MS = 2000;

async function fromSources<T>(read: (source: ScrapeSource) => Promise<T> | undefined): Promise<T[]> {
  const results: (T | undefined)[] = await Promise.all([...sources].map((source) => withTimeout(read(source))));
  return results.filter((r): r is T => r !== undefined);
}

async function withTimeout<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  if (!promise) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SOURCE_TIMEOUT_MS)));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

new Gauge({
  name: 'interlink_consumer_lag_messages',
  help: "Messages on a partner topic's partition that the consumer group has not committed yet, from the brokers at scrape time",
  labelNames: ['consumer', 'topic', 'partition'] as const,
  registers,
  async collect() {
    this.reset();
    for (const rows of await fromSources((s) => s.consumerLag?.())) {
      for (const row of rows) this.set({ consumer: row.consumer, topic: row.topic, partition: String(row.partition) }, row.lag);
    }
  },
});

new Gauge({
  name: 'interlink_relay_waiting_events',
  help: "Events in the agency's store that the relay has not published yet (counted up to 10,000)",
  labelNames: ['agency'] as const,
  registers,
  async collect() {
    this.reset();
    for (const relay of await fromSources((s) => s.relay?.())) this.set({ agency: relay.agency }, relay.waiting);
  },
});

new Gauge({
  name: 'interlink_relay_published_sequence',
  help: "Sequence number of the last event the agency's relay published",
  labelNames: ['agency'] as const,
  registers,
  async collect() {
    this.reset();
    for (const relay of await fromSources((s) => s.relay?.())) this.set({ agency: relay.agency }, relay.published);
  },
});

new Gauge({
  name: 'interlink_parked_events',
  help: 'Events a consumer parked and nobody has replayed or discarded yet',
  labelNames: ['consumer'] as const,
  registers,
  async collect() {
    this.reset();
    for (const rows of await fromSources((s) => s.parked?.())) for (const row of rows) this.set({ consumer: row.consumer }, row.count);
  },
});

let defaultMetrics = false;

/** The process metrics every Prometheus client exports (CPU, memory, event loop lag, GC, handles), once per process. */
export function collectProcessMetrics(): void {
  if (defaultMetrics) return;
  defaultMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/**
 * `fn`'s answer, shared by every call while it is on its way and kept for `ttlMs` after it came,
 * so that many scrapes at once ask the brokers or the database once. A failure is not kept.
 */
export function cachedFor<T>(ttlMs: number, fn: () => Promise<T>): () => Promise<T> {
  let last: { value: Promise<T>; settledAt?: number } | undefined;
  return () => {
    if (!last || (last.settledAt !== undefined && Date.now() - last.settledAt >= ttlMs)) {
      const entry: { value: Promise<T>; settledAt?: number } = { value: fn() };
      last = entry;
      entry.value.then(
        () => (entry.settledAt = Date.now()),
        () => {
          if (last === entry) last = undefined;
        },
      );
    }
    return last.value;
  };
}
