import { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The next offset the group will read (the log start when it has committed none). */
  committed: number;
  /** The partition's high watermark: the offset the next record will get. */
  high: number;
  lag: number;
}

/**
 * How far a consumer group is behind on each partition of `topics`, from the brokers: the high
 * watermark minus the group's committed offset (or minus the log start, when it committed none).
 */
export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    // While metadata is in flux (a broker restarting, a connection reset) kafkajs can fail here
    // with a TypeError of its own; say which topic it was about.
    const watermarks = await admin.fetchTopicOffsets(topic).catch((error: Error) => {
      throw new Error(`the brokers did not give the offsets of ${topic} (${error.message})`);
    });
    const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const { partition, high, low } of watermarks) {
      const offset = Number(group.find((p) => p.partition === partition)?.offset ?? -1);
      const next = offset >= 0 ? offset : Number(low);
      lags.push({ topic, partition, committed: next, high: Number(high), lag: Math.max(0, Number(high) - next) });
    }
  }
  return lags;
}
