import { Kafka } from 'kafkajs';
import { createKafka, kafkaSettingsFromEnv } from '@interlink/messaging';
import { testRunId } from './names';

export function testKafka(clientId = 'interlink-test'): Kafka {
  return createKafka(kafkaSettingsFromEnv(clientId));
}

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: string | undefined;
}

/** Every record now on `topics`, read from the beginning with a throw-away consumer group. */
export async function readTopics(kafka: Kafka, topics: string[], expectAtLeast: number, timeoutMs = 20000): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${testRunId()}-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let enough: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (enough = resolve));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      records.push({ topic, partition, offset: message.offset, key: message.key?.toString(), value: message.value?.toString() });
      if (records.length >= expectAtLeast) enough();
    },
  });
  const timer = setTimeout(enough, timeoutMs);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return records;
}
