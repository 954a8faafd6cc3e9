import { Admin, Kafka, Producer, logLevel } from 'kafkajs';
import { testAgencies, testKafka } from '@interlink/testing';
import { kafkaSettingsFromEnv } from './kafka-config';
import { TopicManager } from './topics';

describe('TopicManager (real Kafka)', () => {
  let admin: Admin;
  // A client that does not retry: a partition that is not served yet fails its first request.
  let impatient: Kafka;
  let impatientAdmin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = testKafka().admin();
    await admin.connect();
    impatient = new Kafka({ clientId: 'interlink-test-impatient', brokers: kafkaSettingsFromEnv('x').brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    impatientAdmin = impatient.admin();
    await impatientAdmin.connect();
    producer = impatient.producer({ retry: { retries: 0 } });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await impatientAdmin.disconnect();
    await admin.disconnect();
  });

  it('returns from ensure only when every partition of a new topic is served: it answers ListOffsets and takes a produce at the first try', async () => {
    // Before this waited for ListOffsets, 18 of 30 fresh topics refused it right after ensure (the
    // metadata named a leader that did not host the partition yet) and 3 of 30 refused a produce.
    const { owner } = testAgencies('owner');
    const manager = new TopicManager(admin, { partitions: 3, replicationFactor: -1 });
    const refused: string[] = [];
    for (let i = 0; i < 20; i++) {
      const topic = `intel.${owner}.fresh-${i}`;
      await manager.ensure([topic]);
      expect(manager.partitionsOf(topic)).toBe(3);
      await impatientAdmin.fetchTopicOffsets(topic).catch((error: Error) => refused.push(`${topic} ListOffsets: ${error.message}`));
      await producer
        .send({ topic, acks: -1, messages: [0, 1, 2].map((partition) => ({ partition, value: `to ${partition}` })) })
        .catch((error: Error) => refused.push(`${topic} produce: ${error.message}`));
    }
    expect(refused).toEqual([]);
  });
});
