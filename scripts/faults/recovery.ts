// How long the network takes to recover from a fault while the load goes on. Under a steady
// load the consumer lag is rarely exactly 0 at any one instant, so "lag back to 0" is measured
// against what the fault held up: recovered = every service ready again, every relay has
// published what its store held when the fault ended, and every consumer group (the agencies'
// policy consumers and the auditors' archive) has committed everything that was on its topics
// once those relays had caught up.
import { Admin } from 'kafkajs';
import { Pool } from 'pg';
import { ReadinessMonitor } from './monitor';

export interface Recovery {
  /** ms after the fault's end: every service ready (readiness 200, audit /health 200) */
  readyMs: number | null;
  /** ... and every relay published the log its store held at the fault's end */
  publishedMs: number | null;
  /** ... and every consumer group caught up with its topics as of then: the recovery time */
  caughtUpMs: number | null;
}

export interface RecoveryScope {
  agencies: { role: string; dbUrl: string }[];
  groups: { groupId: string; topics: string[] }[];
}

export class RecoveryTracker {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly scope: RecoveryScope,
    private readonly admin: Admin,
    private readonly monitor: ReadinessMonitor,
    private readonly clock: () => number,
    private readonly timeoutMs: number,
  ) {}

  private pool(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000, idleTimeoutMillis: 5000 });
      pool.on('error', () => undefined);
      this.pools.set(url, pool);
    }
    return pool;
  }

  private async stored(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const a of this.scope.agencies) out.set(a.role, (await this.pool(a.dbUrl).query(`SELECT count(*)::int AS n FROM interlink.events`)).rows[0].n);
    return out;
  }

  private async published(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const a of this.scope.agencies) {
      out.set(a.role, Number((await this.pool(a.dbUrl).query(`SELECT coalesce(max(sequence), 0)::int AS n FROM interlink.relay_checkpoints`)).rows[0].n));
    }
    return out;
  }

  private async highWatermarks(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    const topics = [...new Set(this.scope.groups.flatMap((g) => g.topics))];
    for (const topic of topics) for (const o of await this.admin.fetchTopicOffsets(topic)) out.set(`${topic}/${o.partition}`, BigInt(o.high));
    return out;
  }

  private async caughtUp(target: Map<string, bigint>): Promise<boolean> {
    for (const { groupId, topics } of this.scope.groups) {
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId, topics })) {
        for (const p of partitions) {
          const want = target.get(`${topic}/${p.partition}`) ?? 0n;
          if (BigInt(Number(p.offset) < 0 ? 0 : p.offset) < want) return false;
        }
      }
    }
    return true;
  }

  /**
   * Measures the recovery from a fault that ended at `end` (ms on the clock); call right after the
   * fault. It gives up `timeoutMs` after `end`, or after `later()` if that is later: the end of the
   * last fault that came on top of this one (Infinity while more faults are to come).
   */
  async measure(end: number, later: () => number = () => end): Promise<Recovery> {
    const result: Recovery = { readyMs: null, publishedMs: null, caughtUpMs: null };
    const deadline = () => Math.max(end, later()) + this.timeoutMs;
    let storedAtEnd: Map<string, number> | undefined;
    let target: Map<string, bigint> | undefined;
    while (this.clock() < deadline()) {
      try {
        storedAtEnd ??= await this.stored();
        const sample = this.monitor.samples[this.monitor.samples.length - 1];
        const ready = sample !== undefined && sample.t >= end && sample.allReady;
        if (result.readyMs === null && ready) result.readyMs = Math.round(sample.t - end);
        if (result.readyMs !== null && result.publishedMs === null) {
          const published = await this.published();
          if ([...storedAtEnd].every(([role, n]) => (published.get(role) ?? 0) >= n)) {
            const at = this.clock();
            // Taken before publishedMs is set: if the brokers do not answer now, the next round asks again.
            target = await this.highWatermarks();
            result.publishedMs = Math.round(at - end);
          }
        }
        if (target && ready && (await this.caughtUp(target))) {
          result.caughtUpMs = Math.round(this.clock() - end);
          break;
        }
      } catch {
        // Postgres or Kafka still away: look again
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return result;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
  }
}
