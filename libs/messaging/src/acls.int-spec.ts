import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { waitFor } from '@interlink/testing';
import { TopicManager, applyAgencyAcls, createKafka } from './index';

const launcher = path.resolve(__dirname, '../../../deploy/local/kafka.sh');
const PORT = 9192;
// DEVELOPMENT FIXTURES: passwords of a throw-away broker that lives for this test only.
const USERS = { police: 'police-dev-password', immigration: 'immigration-dev-password', ministry: 'ministry-dev-password' };
const ADMIN_PASSWORD = 'acl-test-admin';

/**
 * With SASL/SCRAM and ACLs on, each agency's Kafka user can read only the topics addressed to it
 * (`intel.<sender>.<self>`) and publish only as itself.
 */
describe('Kafka ACLs per agency (a real broker with SASL/SCRAM on)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'interlink-sasl-kafka-'));
  const env = {
    ...process.env,
    KAFKA_SASL: 'scram',
    KAFKA_PORT: String(PORT),
    KAFKA_CONTROLLER_PORT: String(PORT + 1),
    KAFKA_DATA_DIR: dataDir,
    KAFKA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    KAFKA_SASL_USERS: Object.entries(USERS).map(([u, p]) => `${u}:${p}`).join(','),
    KAFKA_BROKERS: `127.0.0.1:${PORT}`,
  };
  const as = (username: string, password: string): Kafka =>
    createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: `acl-test-${username}`, sasl: { mechanism: 'scram-sha-512', username, password } }, { logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });

  beforeAll(() => {
    execFileSync('bash', [launcher, 'start'], { env, stdio: 'inherit' });
  }, 120000);

  afterAll(() => {
    execFileSync('bash', [launcher, 'stop'], { env, stdio: 'inherit' });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets each agency read only what is addressed to it, publish only as itself, and refuses a wrong password', async () => {
    const admin = as('admin', ADMIN_PASSWORD).admin();
    await admin.connect();
    await applyAgencyAcls(admin, { police: ['immigration', 'ministry'], immigration: ['police', 'ministry'], ministry: ['police', 'immigration'] });
    // Immigration's own outgoing topic exists, so that police's attempt to write to it is judged by ACL alone.
    await new TopicManager(admin).ensure(['intel.immigration.police']);
    await admin.disconnect();

    // Police publishes to immigration and to the ministry, creating the topics as itself.
    const police = as('police', USERS.police);
    const policeAdmin = police.admin();
    await policeAdmin.connect();
    await new TopicManager(policeAdmin).ensure(['intel.police.immigration', 'intel.police.ministry', 'keys.police.immigration', 'keys.police.ministry']);
    const producer = police.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'intel.police.immigration', acks: -1, messages: [{ key: 'case-1', value: 'for immigration' }] });
    await producer.send({ topic: 'intel.police.ministry', acks: -1, messages: [{ key: 'case-2', value: 'for the ministry' }] });
    await expect(producer.send({ topic: 'intel.immigration.police', acks: -1, messages: [{ value: 'spoofed' }] })).rejects.toThrow(/not authorized|authoriz/i);
    await producer.disconnect();
    await policeAdmin.disconnect();

    // Immigration reads its own topic...
    const immigration = as('immigration', USERS.immigration);
    const received: string[] = [];
    const own = immigration.consumer({ groupId: 'immigration-acl-test' });
    await own.connect();
    await own.subscribe({ topics: ['intel.police.immigration'], fromBeginning: true });
    await own.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
    await waitFor('immigration to read its topic', () => received.length === 1, { timeoutMs: 30000 });
    expect(received).toEqual(['for immigration']);
    await own.disconnect();

    // ...but not the ministry's.
    const snooping = immigration.consumer({ groupId: 'immigration-snoop' });
    await snooping.connect();
    await expect(snooping.subscribe({ topics: ['intel.police.ministry'], fromBeginning: true })).rejects.toThrow(/not authorized|authoriz/i);
    // Nor the data keys police deliver to the ministry.
    await expect(snooping.subscribe({ topics: ['keys.police.ministry'], fromBeginning: true })).rejects.toThrow(/not authorized|authoriz/i);
    await snooping.disconnect();
    const intruder = as('immigration', 'wrong-password').admin();
    await expect(intruder.connect()).rejects.toThrow(/SASL|authentication/i);
  });
});
