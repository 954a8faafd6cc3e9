import { Kafka, KafkaConfig, Message, Partitioners, Producer, ProducerBatch, ProducerRecord, RecordMetadata, logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logs';

export interface KafkaSettings {
  /** Broker addresses, `host:port`, from KAFKA_BROKERS (comma-separated). */
  brokers: string[];
  clientId: string;
  /** SASL/SCRAM login (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD) for brokers that require it. */
  sasl?: { mechanism: 'scram-sha-512'; username: string; password: string };
}

export function kafkaSettingsFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new Error(`KAFKA_BROKERS entry "${broker}" is not host:port (e.g. 127.0.0.1:9092)`);
    }
  }
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is empty: give at least one host:port');
  if (Boolean(env.KAFKA_SASL_USERNAME) !== Boolean(env.KAFKA_SASL_PASSWORD)) {
    throw new Error('give both KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (the agency\'s Kafka user), or neither');
  }
  return {
    brokers,
    clientId,
    ...(env.KAFKA_SASL_USERNAME ? { sasl: { mechanism: 'scram-sha-512' as const, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD! } } : {}),
  };
}

export function createKafka(settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.sasl ? { sasl: settings.sasl } : {}),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    // Waits between retries capped at 5 s (kafkajs's default is 30 s), so a client resumes within
    // seconds of a broker coming back rather than half a minute.
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    ...overrides,
  });
}

/**
 * The producer for everything Interlink publishes: idempotent with one request in flight, so a
 * retried send neither duplicates nor reorders; it keeps retrying (kafkajs requires that for its
 * guarantees) with waits capped at 5 s, so a broker outage delays publishing instead of failing it.
 * Keys are partitioned with murmur2, as Java clients do, so a stream maps to the same partition
 * for every client.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 },
  });
}

/**
 * An idempotent producer that is replaced by a new one (a new producer id) after any send that
 * failed. kafkajs undoes its sequence numbers for every partition of a produce request that
 * failed, including partitions the broker did write (a request fails as a whole when one of its
 * partitions is refused); its next different send to such a partition then starts at a sequence
 * the broker has already seen and is refused with OUT_OF_ORDER_SEQUENCE_NUMBER, for ever. A new
 * producer starts its sequences afresh. What the failed send did write may then arrive twice,
 * which consumers recognise by event id.
 */
export class RenewingProducer {
  private producer?: Producer;
  private spent = false;
  /** Producers made so far (the first one included). */
  created = 0;

  constructor(private readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    await this.current();
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  /** Replaces the producer before the next send, after a failure the caller found in an answer. */
  discard(): void {
    this.spent = true;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.sending((producer) => producer.sendBatch(batch));
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sending((producer) => producer.send(record));
  }

  private async sending(send: (producer: Producer) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    const producer = await this.current();
    try {
      return await send(producer);
    } catch (error) {
      this.spent = true;
      throw error;
    }
  }

  private async current(): Promise<Producer> {
    if (this.producer && !this.spent) return this.producer;
    const old = this.producer;
    this.producer = undefined;
    this.spent = false;
    await old?.disconnect().catch(() => undefined);
    const producer = createIdempotentProducer(this.kafka);
    this.created++;
    await producer.connect();
    this.producer = producer;
    return producer;
  }
}

/** Largest produce request the relay and the consumers' dead letters make, well under the broker's default message.max.bytes (1 MB). */
export const PRODUCE_CHUNK_BYTES = 512 * 1024;

/** Bytes a message takes in a produce request, near enough: its key, value and headers. */
export function messageBytes(message: Message): number {
  const size = (value: Buffer | string | null | undefined) => (value === null || value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  let bytes = size(message.key) + size(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((sum: number, v) => sum + size(v), 0) : size(value));
  }
  return bytes;
}

/**
 * Splits `items`, in order, into runs of at most `limit` bytes by `sizeOf`, for produce requests
 * the broker takes (message.max.bytes, 1 MB by default, bounds a request to one partition); an
 * item larger than the limit goes alone.
 */
export function chunksOf<T>(items: T[], sizeOf: (item: T) => number, limit: number): T[][] {
  const chunks: T[][] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (chunks.length === 0 || bytes + size > limit) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1].push(item);
    bytes += size;
  }
  return chunks;
}

const murmur2Partition = Partitioners.DefaultPartitioner();

/**
 * The partition kafkajs's default (murmur2) partitioner gives a keyed message on a topic of
 * `partitions` partitions; set explicitly, so that the caller knows where each message must land.
 */
export function partitionFor(topic: string, message: Message, partitions: number): number {
  if (message.key === null || message.key === undefined) throw new Error(`a message to ${topic} has no key, so it has no fixed partition`);
  // The partition depends only on the key and the partition count: an event goes to several
  // recipients' topics, and a stream's events share its key, so most keys were seen just before.
  const byKey = typeof message.key === 'string' ? recentPartitions(partitions) : undefined;
  const known = byKey?.get(message.key as string);
  if (known !== undefined) return known;
  const partition = murmur2Partition({ topic, partitionMetadata: partitionMetadataOf(partitions), message });
  if (byKey) {
    if (byKey.size >= RECENT_KEYS) byKey.clear();
    byKey.set(message.key as string, partition);
  }
  return partition;
}

/** String keys remembered per partition count (a bound: cleared when full). */
const RECENT_KEYS = 10_000;
const recent = new Map<number, Map<string, number>>();
const metadata = new Map<number, { partitionId: number; leader: number; partitionErrorCode: number; replicas: number[]; isr: number[] }[]>();

function recentPartitions(partitions: number): Map<string, number> {
  let byKey = recent.get(partitions);
  if (!byKey) recent.set(partitions, (byKey = new Map()));
  return byKey;
}

/** What kafkajs's partitioner needs to know of a topic of `partitions` partitions. */
function partitionMetadataOf(partitions: number) {
  let known = metadata.get(partitions);
  if (!known) {
    known = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
    metadata.set(partitions, known);
  }
  return known;
}

/**
 * The topic-partitions that `sent` wrote to but the producer's answer does not report written.
 * kafkajs retries a failed send broker by broker and skips the brokers that answered the first
 * attempt; when a broker dies and its partitions move to one of those, their messages are never
 * sent again, yet the send succeeds. Checking the answer against what was sent catches that.
 */
export function unwrittenPartitions(sent: { topic: string; messages: Message[] }[], answer: { topicName: string; partition: number; errorCode: number }[]): string[] {
  const written = new Set(answer.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}/${r.partition}`));
  const wanted = new Set(sent.flatMap(({ topic, messages }) => messages.map((m) => `${topic}/${m.partition}`)));
  return [...wanted].filter((partition) => !written.has(partition));
}
