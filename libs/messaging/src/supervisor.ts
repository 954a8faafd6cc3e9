import { Consumer, ConsumerConfig, ConsumerRunConfig, ConsumerSubscribeTopics, Kafka } from 'kafkajs';

/** How a supervised consumer is doing, for readiness probes and operators. */
export interface ConsumerHealth {
  /** In its group and fetching. */
  running: boolean;
  /** How many times the supervisor started it again after kafkajs gave up on it. */
  restarts: number;
  /** The latest crash, and who restarts it: kafkajs itself (a retriable error) or the supervisor. */
  lastCrash?: { at: string; message: string; restartedBy: 'kafkajs' | 'supervisor' };
}

export interface SupervisedConsumerSpec {
  config: ConsumerConfig;
  subscription: ConsumerSubscribeTopics;
  run: ConsumerRunConfig;
  /** Delay before the first restart, doubled after each restart that fails at once, up to 10 s (default 1000). */
  restartDelayMs?: number;
  /** Longest time an applied offset waits to be committed with others (see commitApplied; default 500). */
  commitIntervalMs?: number;
  onError?: (error: Error) => void;
}

const LONGEST_RESTART_DELAY_MS = 10_000;

/**
 * A kafkajs consumer that keeps running. kafkajs restarts a consumer itself after a retriable
 * error, but after one it considers final (a request the broker refuses for good, an error thrown
 * by a handler and marked non-retriable) it disconnects and stays disconnected: the service would
 * go on answering HTTP while no partner event is applied any more. The supervisor starts a fresh
 * consumer in the same group instead, with a growing delay, and reports what happened.
 * Delivery stays exactly-once: offsets are committed only after the effects, so the new member
 * resumes from the last commit and the inbox skips whatever was applied after it.
 */
export class SupervisedConsumer {
  private consumer?: Consumer;
  private stopped = true;
  private timer?: NodeJS.Timeout;
  /** Restarts in a row that failed before the consumer joined its group. */
  private failedRestarts = 0;
  private state: ConsumerHealth = { running: false, restarts: 0 };
  /** Offsets applied and not yet committed, by topic and partition (see commitApplied). */
  private readonly applied = new Map<string, { topic: string; partition: number; offset: string }>();
  private commitTimer?: NodeJS.Timeout;
  private lastCommit = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly spec: SupervisedConsumerSpec,
  ) {}

  /** The consumer running now: handlers commit their offsets through it. */
  get current(): Consumer {
    if (!this.consumer) throw new Error(`consumer ${this.spec.config.groupId} is not running`);
    return this.consumer;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.launch();
  }

  /**
   * Records that a partition's messages up to `lastOffset` are applied (their transaction has
   * committed), and commits that to Kafka now, or with the others within `commitIntervalMs`: one
   * offset-commit request for many batches instead of one per batch. The database (checkpoints,
   * inbox) is what makes delivery exactly-once; Kafka's offset only spares a redelivery, so an
   * offset not yet committed when the process dies costs a redelivery the database skips.
   */
  async commitApplied(topic: string, partition: number, lastOffset: string): Promise<void> {
    this.applied.set(`${partition}:${topic}`, { topic, partition, offset: (BigInt(lastOffset) + 1n).toString() });
    const wait = this.lastCommit + (this.spec.commitIntervalMs ?? 500) - Date.now();
    if (wait <= 0) return this.commitNow();
    this.commitTimer ??= setTimeout(() => void this.commitNow(), wait);
  }

  /**
   * Commits the offsets applied so far. A commit that fails because the group moved on (a
   * rebalance, or this member's session expired meanwhile) is reported, not thrown: thrown from
   * eachBatch, kafkajs would take it as final and stop the consumer; the partition's next owner
   * skips what was applied by the database's checkpoints.
   */
  private async commitNow(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const offsets = [...this.applied.values()];
    this.applied.clear();
    this.lastCommit = Date.now();
    if (offsets.length === 0 || !this.consumer) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      const what = offsets.map((o) => `${o.topic}/${o.partition} up to ${BigInt(o.offset) - 1n}`).join(', ');
      this.spec.onError?.(new Error(`${what} applied but the Kafka commit failed (a redelivery will be skipped): ${(error as Error).message}`));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.commitNow();
    const consumer = this.consumer;
    this.consumer = undefined;
    this.state.running = false;
    await consumer?.disconnect();
  }

  health(): ConsumerHealth {
    return { ...this.state };
  }

  private async launch(): Promise<void> {
    const consumer = this.kafka.consumer(this.spec.config);
    this.consumer = consumer;
    const mine = () => this.consumer === consumer && !this.stopped;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (!mine()) return;
      this.state.running = true;
      this.failedRestarts = 0;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!mine()) return;
      this.state.running = false;
      this.state.lastCrash = { at: new Date().toISOString(), message: payload.error.message, restartedBy: payload.restart ? 'kafkajs' : 'supervisor' };
      this.spec.onError?.(payload.error);
      if (!payload.restart) this.scheduleRestart();
    });
    await consumer.connect();
    await consumer.subscribe(this.spec.subscription);
    await consumer.run(this.spec.run);
  }

  private scheduleRestart(): void {
    if (this.stopped) return;
    const delay = Math.min(LONGEST_RESTART_DELAY_MS, (this.spec.restartDelayMs ?? 1000) * 2 ** this.failedRestarts);
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    await this.consumer?.disconnect().catch(() => undefined);
    this.state.restarts++;
    try {
      await this.launch();
    } catch (error) {
      this.failedRestarts++;
      this.spec.onError?.(new Error(`consumer ${this.spec.config.groupId} could not be started again: ${(error as Error).message}`));
      this.scheduleRestart();
    }
  }
}
