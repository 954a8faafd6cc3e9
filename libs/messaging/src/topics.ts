import { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSettings {
  /** Partitions per topic (default 3): one case's events share a key and so a partition. */
  partitions: number;
  /** Replicas per partition; -1 takes the cluster's `default.replication.factor`. */
  replicationFactor: number;
  /** Topics that keep one total order, in one partition (the auditors' copy of each agency's log). */
  singlePartition?: (topic: string) => boolean;
  /**
   * How soon a destroyed data key leaves the compacted `keys.*` topics, in ms: their segments
   * roll and become compactable at least this often (default one hour). An erasure is complete on
   * Kafka once the log cleaner has compacted the segment that held the key.
   */
  keyTopicCompactionLagMs?: number;
}

/** Topic configuration of a compacted `keys.<from>.<to>` topic (see keyTopicFor). */
export function keyTopicConfig(compactionLagMs: number): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'segment.ms', value: String(compactionLagMs) },
    { name: 'max.compaction.lag.ms', value: String(compactionLagMs) },
    { name: 'min.cleanable.dirty.ratio', value: '0.01' },
    // Tombstones stay readable for 30 days, so a recipient that was offline still learns of an erasure.
    { name: 'delete.retention.ms', value: String(30 * 24 * 3600 * 1000) },
  ];
}

/** The auditors' feed of an agency's whole log, `intel.<agency>.<auditors>`, is one ordered partition. */
export function auditTopicMatcher(auditAgencyId: string): (topic: string) => boolean {
  return (topic) => topic.endsWith(`.${auditAgencyId}`) && topic.startsWith('intel.');
}

export const DEFAULT_TOPIC_SETTINGS: TopicSettings = { partitions: 3, replicationFactor: -1 };

/**
 * How TopicManager creates `topic` under `settings`; exported so that topics provisioned by a
 * platform (deploy/k8s) are made exactly as the services would make them.
 */
export function topicSpec(topic: string, settings: TopicSettings): ITopicConfig {
  const keys = topic.startsWith('keys.');
  return {
    topic,
    // A keys topic is small and compacted; one partition lets any later delivery roll the segment that holds an erased key.
    numPartitions: keys || settings.singlePartition?.(topic) ? 1 : settings.partitions,
    replicationFactor: settings.replicationFactor,
    ...(keys ? { configEntries: keyTopicConfig(settings.keyTopicCompactionLagMs ?? 3600_000) } : {}),
  };
}

/** Creates topics that do not exist yet; remembers what it has seen so the hot path asks once. */
export class TopicManager {
  private readonly known = new Set<string>();
  private readonly partitionCounts = new Map<string, number>();

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
      // kafkajs's own wait for leaders gives up on a topic that another service is creating at the
      // same moment, so creation does not wait and leadersElected() does, tolerating that race.
      await this.admin
        .createTopics({
          waitForLeaders: false,
          topics: toCreate.map((topic) => topicSpec(topic, this.settings)),
        })
        .catch(async (error: Error) => {
          const now = new Set(await this.admin.listTopics());
          if (!toCreate.every((t) => now.has(t))) throw error;
        });
    }
    await this.leadersElected(missing);
    missing.forEach((t) => this.known.add(t));
  }

  /** How many partitions `topic` has, as seen when `ensure` made sure of it. */
  partitionsOf(topic: string): number {
    const count = this.partitionCounts.get(topic);
    if (count === undefined) throw new Error(`topic ${topic} has not been ensured, so its partitions are not known`);
    return count;
  }

  /**
   * Waits until every partition of `topics` has a leader that serves it. A topic that another
   * service has just created is listed before its partitions are served, and a consumer
   * subscribing then fails. A leader in the metadata is not enough either: with KRaft the broker
   * reports the leader before it hosts the partition, and for a moment after it answers a produce
   * or a fetch with NOT_LEADER_FOR_PARTITION or UNKNOWN_TOPIC_OR_PARTITION (each client retries,
   * and a consumer may stall on it). So every partition must also answer ListOffsets.
   */
  private async leadersElected(topics: string[], timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          await Promise.all(topics.map((topic) => this.admin.fetchTopicOffsets(topic)));
          for (const t of metadata) this.partitionCounts.set(t.name, t.partitions.length);
          return;
        }
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no partition leaders serving them after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
