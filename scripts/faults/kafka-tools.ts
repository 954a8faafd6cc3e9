// The suite's own Kafka clients: read topics up to given offsets, and re-publish copies of
// messages already delivered, shuffled (duplicated and reordered deliveries).
import { Admin, IHeaders, Kafka, logLevel } from 'kafkajs';

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export function suiteKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'interlink-faults', brokers, logLevel: logLevel.NOTHING, retry: { initialRetryTime: 200, retries: 10 } });
}

/** Every message of `topics` below `until` (topic -> partition -> end offset, exclusive), in offset order per partition. */
export async function readTopics(kafka: Kafka, until: Map<string, Map<number, bigint>>, timeoutMs = 60_000): Promise<RawMessage[]> {
  const remaining = new Map<string, bigint>();
  for (const [topic, partitions] of until) for (const [p, end] of partitions) if (end > 0n) remaining.set(`${topic}/${p}`, end);
  if (remaining.size === 0) return [];
  const out: RawMessage[] = [];
  const consumer = kafka.consumer({ groupId: `interlink-faults-reader-${Date.now()}-${Math.random().toString(16).slice(2)}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let failed: Error | undefined;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  consumer.on(consumer.events.CRASH, (e) => {
    failed = e.payload.error;
    done();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...until.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}/${batch.partition}`;
        const end = remaining.get(key);
        if (end === undefined) return;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          out.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) });
        }
        const last = batch.messages[batch.messages.length - 1];
        if (last && BigInt(last.offset) + 1n >= end) remaining.delete(key);
        if (remaining.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`reading ${[...remaining.keys()].join(', ')} did not finish within ${timeoutMs / 1000} s`)), timeoutMs)))]);
    clearTimeout(timer);
    if (failed) throw failed;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return out;
}

/** topic -> partition -> high watermark */
export async function highWatermarks(admin: Admin, topics: string[]): Promise<Map<string, Map<number, bigint>>> {
  const out = new Map<string, Map<number, bigint>>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    out.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
  }
  return out;
}

/** topic -> partition -> the offset the group will read next (what it has already been delivered and committed). */
export async function committedOffsets(admin: Admin, groupId: string, topics: string[]): Promise<Map<string, Map<number, bigint>>> {
  const out = new Map<string, Map<number, bigint>>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
    out.set(topic, new Map(partitions.map((p) => [p.partition, BigInt(Number(p.offset) < 0 ? 0 : p.offset)])));
  }
  return out;
}

export interface Injection {
  /** ms since the load started */
  at: number;
  perTopic: Record<string, number>;
  total: number;
}

/**
 * Copies up to `perTopic` messages of each topic that its consumer group has already committed,
 * shuffles them, and publishes them again to the same partition: duplicated deliveries, and
 * out of order (older events after newer ones, and among themselves).
 */
export async function injectDuplicates(
  kafka: Kafka,
  admin: Admin,
  targets: { topic: string; groupId: string }[],
  perTopic: number,
  random: () => number,
): Promise<Omit<Injection, 'at'>> {
  const until = new Map<string, Map<number, bigint>>();
  for (const { topic, groupId } of targets) {
    const committed = await committedOffsets(admin, groupId, [topic]);
    until.set(topic, committed.get(topic) ?? new Map());
  }
  const messages = await readTopics(kafka, until);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const perTopicCount: Record<string, number> = {};
  try {
    for (const { topic } of targets) {
      const pool = messages.filter((m) => m.topic === topic);
      // Fisher-Yates over the pool, keep the first perTopic: a random sample in random order.
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      const copies = pool.slice(0, perTopic);
      if (copies.length === 0) continue;
      await producer.send({
        topic,
        acks: -1,
        messages: copies.map((m) => ({ partition: m.partition, key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
      });
      perTopicCount[topic] = copies.length;
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return { perTopic: perTopicCount, total: Object.values(perTopicCount).reduce((a, b) => a + b, 0) };
}
