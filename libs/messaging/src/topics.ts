import { Admin } from 'kafkajs';

export interface TopicSettings {
  /** Partitions per topic (default 3): one case's events share a key and so a partition. */
  partitions: number;
  replicationFactor: number;
}

export const DEFAULT_TOPIC_SETTINGS: TopicSettings = { partitions: 3, replicationFactor: 1 };

/** Creates topics that do not exist yet; remembers what it has seen so the hot path asks once. */
export class TopicManager {
  private readonly known = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly settings: TopicSettings = DEFAULT_TOPIC_SETTINGS,
  ) {}

  async ensure(topics: Iterable<string>): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.known.has(t));
    if (missing.length === 0) return;
    const existing = new Set(await this.admin.listTopics());
    const toCreate = missing.filter((t) => !existing.has(t));
    if (toCreate.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((topic) => ({
          topic,
          numPartitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
        })),
      });
    }
    missing.forEach((t) => this.known.add(t));
  }
}
