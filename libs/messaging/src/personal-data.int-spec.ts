import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { AppendContext, EventStore } from '@interlink/event-store';
import { interlinkRegistry, keyTopicFor, uuidv7 } from '@interlink/contracts';
import { SigningKey, TrustStore, signKeyDelivery, verifyKeyDelivery } from '@interlink/security';
import { TestDatabase, createTestDatabase, testAgencies, testKafka, waitFor } from '@interlink/testing';
import { KeyDeliveryVerifier, KeyReceiver, Relay, TopicManager } from './index';

function ed25519Key(agencyId: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { agencyId, keyId: `${agencyId}:1`, privateKey, publicKey };
}

/**
 * Police's relay delivers the key of a suspect's record, signed, to immigration, which checks the
 * seal, and to the ministry, configured without a trust store; then forgeries arrive on both
 * keys topics, and then police's erasure.
 */
describe('KeyReceiver (real Kafka, real Postgres)', () => {
  const agencies = testAgencies('police', 'immigration', 'ministry', 'other');
  const policeKey = ed25519Key(agencies.police);
  const otherKey = ed25519Key(agencies.other);
  const trust = new TrustStore()
    .add({ agencyId: agencies.police, keyId: policeKey.keyId, publicKey: policeKey.publicKey })
    .add({ agencyId: agencies.other, keyId: otherKey.keyId, publicKey: otherKey.publicKey });
  const verify: KeyDeliveryVerifier = (delivery) => {
    const result = verifyKeyDelivery(trust, { ...delivery, time: delivery.time ?? '' }, delivery);
    return result.ok ? undefined : result.reason;
  };
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let police: TestDatabase;
  let store: EventStore;
  const receivers: { db: TestDatabase; receiver: KeyReceiver; refusals: string[] }[] = [];
  const stops: { stop(): Promise<void> }[] = [];

  async function receiver(agencyId: string, options: { verify?: KeyDeliveryVerifier }) {
    const db = await createTestDatabase('keys');
    const refusals: string[] = [];
    const r = new KeyReceiver(kafka, new TopicManager(admin), db.dataSource, { agencyId, senders: [agencies.police], onRefused: (reason) => refusals.push(reason), ...options });
    await r.start();
    stops.push(r);
    receivers.push({ db, receiver: r, refusals });
    return { db, receiver: r, refusals };
  }

  const released: AppendContext = {
    correlationId: uuidv7(),
    causationId: uuidv7(),
    actor: 'police/officer-1',
    classification: 'AMBER',
    handling: ['personal-data'],
    releasableTo: [agencies.immigration, agencies.ministry],
  };
  const keyOf = async (db: TestDatabase, ref: string) =>
    (await db.dataSource.query(`SELECT key FROM interlink.data_keys WHERE owner = $1 AND ref = $2`, [agencies.police, ref]))[0]?.key as Buffer | null | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    police = await createTestDatabase('keys_police');
    store = new EventStore(police.dataSource, interlinkRegistry(), agencies.police);
    const relay = new Relay(kafka, new TopicManager(admin), police.dataSource, store, { databaseUrl: police.url, pollIntervalMs: 200, signingKey: policeKey });
    await relay.start();
    stops.push(relay);
  });

  afterAll(async () => {
    for (const s of stops.reverse()) await s.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    for (const r of receivers) await r.db.drop();
    await police?.drop();
  });

  it('takes only what the owner signed where it has the trust store; without it, keeps the keys it holds and ignores erasures', async () => {
    const immigration = await receiver(agencies.immigration, { verify });
    const ministry = await receiver(agencies.ministry, {});
    const suspectId = uuidv7();
    await store.append(`suspect-${suspectId}`, 'any', [{ type: 'intel.police.suspect-identified', data: { suspectId, role: 'recruiter', person: { name: 'Chen Wei Ming', nationality: 'MY' } } }], released);
    const [{ key: genuine }] = await police.dataSource.query(`SELECT key FROM interlink.data_keys WHERE ref = $1`, [suspectId]);
    await waitFor('both partners to hold the key', async () => (await keyOf(immigration.db, suspectId))?.equals(genuine) && (await keyOf(ministry.db, suspectId))?.equals(genuine));

    const fresh = uuidv7();
    const time = new Date().toISOString();
    const delivery = (ref: string, key: Buffer) => JSON.stringify({ ref, key: key.toString('base64') });
    const forged = randomBytes(32);
    const toImmigration = { owner: agencies.police, recipient: agencies.immigration, time };
    await producer.send({
      topic: keyTopicFor(agencies.police, agencies.immigration),
      acks: -1,
      messages: [
        { key: fresh, value: delivery(fresh, forged) },
        { key: suspectId, value: delivery(suspectId, forged) },
        { key: fresh, value: delivery(fresh, forged), headers: signKeyDelivery(otherKey, { ...toImmigration, owner: agencies.other, ref: fresh, key: forged }) },
        // Police's own seal, of another key: it does not carry over.
        { key: suspectId, value: delivery(suspectId, forged), headers: signKeyDelivery(policeKey, { ...toImmigration, ref: suspectId, key: randomBytes(32) }) },
        // Police's seal of this key, but for the ministry: not a delivery to immigration.
        { key: fresh, value: delivery(fresh, forged), headers: signKeyDelivery(policeKey, { ...toImmigration, recipient: agencies.ministry, ref: fresh, key: forged }) },
        { key: suspectId, value: null },
      ],
    });
    await producer.send({
      topic: keyTopicFor(agencies.police, agencies.ministry),
      acks: -1,
      messages: [
        { key: suspectId, value: delivery(suspectId, forged) },
        { key: suspectId, value: null },
      ],
    });
    await waitFor('the forgeries refused', () => immigration.receiver.refused === 6 && ministry.receiver.refused === 2);
    expect(immigration.refusals).toEqual([
      expect.stringMatching(/^not accepted as .*-police's: the key delivery of person record .* carries no signature$/),
      expect.stringMatching(/carries no signature$/),
      expect.stringMatching(/belongs to .*-other, but it was expected from .*-police$/),
      expect.stringMatching(/does not verify with key/),
      expect.stringMatching(/does not verify with key/),
      expect.stringMatching(/^not accepted as .*-police's: the erasure of person record .* carries no signature$/),
    ]);
    expect(ministry.refusals).toEqual([
      expect.stringMatching(/^.*-police delivered another key for person record .* than the one held here; a record's key never changes, so it is ignored$/),
      expect.stringMatching(/^ignored the erasure of person record .* on the keys topic: nothing here can tell that .*-police sent it; .*-police's signed personal-data-erased event destroys the key$/),
    ]);
    expect(await keyOf(immigration.db, suspectId)).toEqual(genuine);
    expect(await keyOf(immigration.db, fresh)).toBeUndefined();
    expect(await keyOf(ministry.db, suspectId)).toEqual(genuine);

    // Police erase the record: the relay sends each partner a signed tombstone.
    await police.dataSource.transaction(async (tx) => {
      await store.keys.erase(tx, agencies.police, suspectId);
      await store.append(`erasure-${suspectId}`, 'any', [{ type: 'intel.police.personal-data-erased', data: { ref: suspectId, reason: 'PDPA s.10 request' } }], released, tx);
    });
    await waitFor('immigration to destroy its copy', async () => (await keyOf(immigration.db, suspectId)) === null);
    await waitFor('the ministry to leave the erasure to the signed event', () => ministry.receiver.refused === 3);
    expect(await keyOf(ministry.db, suspectId)).toEqual(genuine);
    expect(immigration.receiver.refused).toBe(6);
  });
});
