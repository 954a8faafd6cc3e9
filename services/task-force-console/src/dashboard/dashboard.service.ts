import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConsoleConfig } from '../config';
import { IntakeRuntime, consumerName } from '../intake/intake.runtime';
import { CONSOLE_CONFIG } from '../tokens';
import { CaseFacts, MonthFigures, PartitionLag, VictimCounts, partitionLags, totals, victimsByCountry, victimsOverTime } from './figures';

export interface VictimsDashboard {
  totals: VictimCounts;
  byCountry: ({ country: string } & VictimCounts)[];
  overTime: MonthFigures[];
  /** Persons freed in police rescues, by country of the rescue. */
  freedInRescues: { country: string; persons: number; rescues: number }[];
}

export interface AlertsDashboard {
  byCheckpoint: { checkpoint: string; raised: number; confirmed: number; dismissed: number; total: number }[];
}

export interface SuspectsDashboard {
  byStatus: { status: string; count: number }[];
  byRole: { role: string; count: number }[];
}

export interface LagDashboard {
  consumer: string;
  partitions: PartitionLag[];
  total: number;
  at: string;
}

const date = (value: Date | string | null): string | null => (value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10));

@Injectable()
export class DashboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly intake: IntakeRuntime,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async victims(): Promise<VictimsDashboard> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const rows: { country: string | null; status: string; reclassified_as: string | null; opened_on: string; rescued_on: string | null; returned_on: string | null; closed_on: string | null }[] =
        await m.query(
          `SELECT country, status, reclassified_as, least(reported_on, first_seen)::text AS opened_on, rescued_on::text, returned_on::text, closed_on::text
             FROM console.victim_cases`,
        );
      const cases: CaseFacts[] = rows.map((r) => ({
        country: r.country,
        status: r.status,
        reclassifiedAs: r.reclassified_as,
        openedOn: date(r.opened_on)!,
        rescuedOn: date(r.rescued_on),
        returnedOn: date(r.returned_on),
        closedOn: date(r.closed_on),
      }));
      const freed: { country: string; persons: number; rescues: number }[] = await m.query(
        `SELECT coalesce(country, 'unknown') AS country, sum(persons)::int AS persons, count(*)::int AS rescues
           FROM console.rescues GROUP BY 1 ORDER BY 1`,
      );
      const byCountry = victimsByCountry(cases);
      return { totals: totals(byCountry), byCountry, overTime: victimsOverTime(cases), freedInRescues: freed };
    });
  }

  async alerts(): Promise<AlertsDashboard> {
    const rows: AlertsDashboard['byCheckpoint'] = await this.dataSource.query(
      `SELECT coalesce(checkpoint, 'unknown') AS checkpoint,
              count(*) FILTER (WHERE status = 'raised')::int AS raised,
              count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed,
              count(*) FILTER (WHERE status = 'dismissed')::int AS dismissed,
              count(*)::int AS total
         FROM console.alerts GROUP BY 1 ORDER BY total DESC, checkpoint`,
    );
    return { byCheckpoint: rows };
  }

  async suspects(): Promise<SuspectsDashboard> {
    const byStatus: SuspectsDashboard['byStatus'] = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM console.suspects GROUP BY status
        ORDER BY array_position(ARRAY['identified', 'arrested', 'charged', 'convicted', 'cleared'], status), status`,
    );
    const byRole: SuspectsDashboard['byRole'] = await this.dataSource.query(
      `SELECT coalesce(role, 'unknown') AS role, count(*)::int AS count FROM console.suspects GROUP BY 1 ORDER BY count DESC, role`,
    );
    return { byStatus, byRole };
  }

  /** Per feed (topic partition): the console's committed offset against the topic's high watermark, from the broker. */
  async lag(): Promise<LagDashboard> {
    const consumer = consumerName(this.config.agencyId);
    try {
      const topics = [];
      for (const sender of this.config.senders) {
        const topic = this.intake.topics.find((t) => t.startsWith(`intel.${sender.agencyId}.`))!;
        const offsets = await this.intake.admin.fetchTopicOffsets(topic);
        topics.push({ topic, sender: sender.agencyId, partitions: offsets.map((o) => ({ partition: o.partition, high: o.high, low: o.low })) });
      }
      const committed = await this.intake.admin.fetchOffsets({ groupId: consumer, topics: this.intake.topics });
      const partitions = partitionLags(topics, committed);
      return { consumer, partitions, total: partitions.reduce((n, p) => n + p.lag, 0), at: new Date().toISOString() };
    } catch (error) {
      throw new ServiceUnavailableException(`the Kafka brokers did not answer the offset request: ${(error as Error).message}`);
    }
  }
}
