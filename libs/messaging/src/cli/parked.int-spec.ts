import path from 'node:path';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { topicFor } from '@interlink/contracts';
import {
  TestDatabase,
  caseFileRegistry,
  createReceivedCasesTable,
  createTestDatabase,
  envelopeFrom,
  readCases,
  receivedCasesHandler,
  runTs,
  testAgencies,
  testKafka,
  waitFor,
} from '@interlink/testing';
import { EventConsumer, TopicManager } from '../index';

const cli = path.join(__dirname, 'parked.ts');

describe('parked command (real Kafka, real Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let db: TestDatabase;
  let consumer: EventConsumer;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    db = await createTestDatabase('parked_cli');
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer.disconnect();
    await admin.disconnect();
    await db.drop();
  });

  it('lists parked events with their reasons, replays them through the running consumer, and refuses bad arguments', async () => {
    const agencies = testAgencies('police', 'immigration');
    const topic = topicFor(agencies.police, agencies.immigration);
    await createReceivedCasesTable(db.dataSource.manager, 'cases');
    let broken = true;
    const apply = receivedCasesHandler('cases');
    consumer = new EventConsumer(kafka, new TopicManager(admin), db.dataSource, caseFileRegistry(), {
      name: `${agencies.immigration}-cases`,
      agencyId: agencies.immigration,
      topics: [topic],
      databaseUrl: db.url,
      backoffMs: 10,
      handler: async (event, context) => {
        if (broken) throw new Error('read model table is being migrated');
        await apply(event, context);
      },
    });
    await consumer.start();
    const forUs = { releasableTo: [agencies.immigration] };
    const first = envelopeFrom(agencies.police, 'case-7', 1, { type: 'intel.testing.case-opened', data: { title: 'Held', country: 'PE' } }, forUs);
    const second = envelopeFrom(agencies.police, 'case-7', 2, { type: 'intel.testing.note-added', data: { text: 'behind it' } }, forUs);
    await producer.send({ topic, acks: -1, messages: [first, second].map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    await waitFor('two parked events', async () => (await consumer.listParked()).length === 2);

    const list = await runTs(cli, ['list', '--database-url', db.url]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('handler failed 3 times: read model table is being migrated');
    expect(list.stdout).toMatch(/stream=case-7 type=intel.testing.note-added held behind #\d+/);

    broken = false;
    const replay = await runTs(cli, ['replay', '--database-url', db.url, '--consumer', consumer.name, '--timeout', '30']);
    expect(replay).toMatchObject({ code: 0, stdout: 'replayed 2, still parked 0\n' });
    expect(await readCases(db.dataSource.manager, 'cases')).toEqual([
      { case_id: 'case-7', title: 'Held', country: 'PE', notes: 1, history: 'behind it;' },
    ]);

    const nobody = await runTs(cli, ['replay', '--database-url', db.url, '--consumer', 'nobody-runs-this', '--timeout', '0.5']);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain('no consumer "nobody-runs-this" served replay request');

    const badId = await runTs(cli, ['discard', '--database-url', db.url, '--consumer', consumer.name, '--id', 'seven', '--note', 'x']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('discard needs --id N, a parked event number (got "seven")');
    const missing = await runTs(cli, ['discard', '--database-url', db.url, '--consumer', consumer.name, '--id', '424242', '--note', 'gone']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no unresolved parked event #424242 for consumer "${consumer.name}"`);
  });
});
