import { Admin, Kafka, Message, Producer } from 'kafkajs';
import { testAgencies, testKafka } from '@interlink/testing';
import { RenewingProducer, createIdempotentProducer } from './kafka-config';

/**
 * A produce request fails as a whole when the broker refuses one of its partitions, here with
 * MESSAGE_TOO_LARGE from a topic whose limit is tiny, although the broker wrote the others.
 */
describe('RenewingProducer (real Kafka)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let written: string;
  let refusing: string;
  const disconnect: { disconnect(): Promise<void> }[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    const { a, b } = testAgencies('a', 'b');
    written = `intel.${a}.${b}`;
    refusing = `intel.${b}.${a}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: written, numPartitions: 1 },
        { topic: refusing, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '200' }] },
      ],
    });
  });

  afterEach(async () => {
    for (const d of disconnect.splice(0)) await d.disconnect().catch(() => undefined);
    await admin.disconnect();
  });

  const messages = (count: number, bytes: number): Message[] =>
    Array.from({ length: count }, (_, i) => ({ key: 'case-1', value: `${i}:${'x'.repeat(bytes)}`, partition: 0 }));

  /** Sends one good message, then one request the broker half writes, then lifts the limit. */
  async function halfWrittenRequest(producer: Pick<Producer, 'sendBatch'>): Promise<void> {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: written, messages: messages(1, 10) }] });
    await expect(
      producer.sendBatch({ acks: -1, topicMessages: [{ topic: written, messages: messages(1, 10) }, { topic: refusing, messages: messages(1, 500) }] }),
    ).rejects.toThrow(/larger than the max message size/);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: refusing, configEntries: [{ name: 'max.message.bytes', value: '100000' }] }] });
  }

  const endOffset = async (topic: string) => Number((await admin.fetchTopicOffsets(topic))[0].high);

  it('a plain kafkajs idempotent producer is refused for ever after a request the broker half wrote (the defect it works around)', async () => {
    const producer = createIdempotentProducer(kafka);
    disconnect.push(producer);
    await producer.connect();
    await halfWrittenRequest(producer);
    expect(await endOffset(written)).toBe(2);
    const next = { acks: -1, topicMessages: [{ topic: written, messages: messages(2, 10) }] };
    await expect(producer.sendBatch(next)).rejects.toThrow(/out of order sequence number/);
    await expect(producer.sendBatch(next)).rejects.toThrow(/out of order sequence number/);
    expect(await endOffset(written)).toBe(2);
  });

  it('takes a new producer after a failed send, and the next send is written', async () => {
    const producer = new RenewingProducer(kafka);
    disconnect.push(producer);
    await producer.connect();
    await halfWrittenRequest(producer);
    expect(producer.created).toBe(1);
    const answer = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: written, messages: messages(2, 10) }, { topic: refusing, messages: messages(1, 500) }] });
    expect(answer.map((r) => [r.topicName, r.errorCode]).sort()).toEqual([[refusing, 0], [written, 0]].sort());
    expect(producer.created).toBe(2);
    expect(await endOffset(written)).toBe(4);
    expect(await endOffset(refusing)).toBe(1);
    // Without a failure it keeps its producer.
    await producer.send({ acks: -1, topic: written, messages: messages(1, 10) });
    expect(producer.created).toBe(2);
  });

  it('discard() replaces the producer before the next send', async () => {
    const producer = new RenewingProducer(kafka);
    disconnect.push(producer);
    await producer.connect();
    producer.discard();
    await producer.send({ acks: -1, topic: written, messages: messages(1, 10) });
    expect(producer.created).toBe(2);
    expect(await endOffset(written)).toBe(1);
  });
});
