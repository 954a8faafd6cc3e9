import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { agencyConfigFromEnv, createAgencyApp } from '@interlink/agency-kit';
import { EventEnvelope, ForeignMinistry, Immigration, Police, deterministicUuid, interlinkRegistry, uuidv7 } from '@interlink/contracts';
import { AppendContext, EventStore, LOG_START } from '@interlink/event-store';
import { Relay, TopicManager } from '@interlink/messaging';
import { devIssuer, issueToken, loadOrCreateDevKey } from '@interlink/security';
import { TestDatabase, createTestDatabase, databaseUrl, randomSuffix, testAgencies, testKafka, testServerUrl, waitFor } from '@interlink/testing';
import { FOREIGN_MINISTRY_API, ForeignMinistryModule } from './app.module';
import { caseStream } from './cases/case.decider';
import { summariseHistory } from './reports/summary';

const KAFKA_WAIT = { timeoutMs: 60000 };

describe('foreign-ministry service (real Kafka, real Postgres)', () => {
  const agencies = testAgencies('police', 'immigration', 'foreign-ministry', 'task-force');
  const ministryDatabase = `interlink_test_fm_${randomSuffix()}`;
  const keysDir = mkdtempSync(join(tmpdir(), 'interlink-fm-keys-'));
  let app: INestApplication;
  let server: Parameters<typeof request>[0];
  let issuerKey: ReturnType<typeof devIssuer> | undefined;
  const issuer = () => (issuerKey ??= devIssuer(keysDir));
  /** The ministry's API as a caseworker of the ministry, with a token from the development issuer. */
  const api = () => {
    const bearer = `Bearer ${issueToken(issuer(), { sub: 'caseworker-1', agency: agencies['foreign-ministry'], roles: ['officer', 'analyst', 'supervisor'] })}`;
    const agent = request(server);
    return {
      get: (url: string) => agent.get(url).set('Authorization', bearer).set('X-Purpose', 'integration test'),
      post: (url: string) => agent.post(url).set('Authorization', bearer),
    };
  };
  let store: EventStore;
  let kafka: Kafka;
  let admin: Admin;
  let police: { db: TestDatabase; store: EventStore; relay: Relay };
  let immigration: { db: TestDatabase; store: EventStore; relay: Relay };

  /** A partner agency with its own store, whose relay publishes what it releases to the ministry. */
  async function partner(role: 'police' | 'immigration') {
    const db = await createTestDatabase(`fm_${role}`);
    const partnerStore = new EventStore(db.dataSource, interlinkRegistry(), agencies[role]);
    // Partners sign what they publish; the ministry trusts the public keys in the shared keys folder.
    const signingKey = loadOrCreateDevKey(keysDir, agencies[role]);
    const relay = new Relay(kafka, new TopicManager(admin), db.dataSource, partnerStore, { databaseUrl: db.url, pollIntervalMs: 200, signingKey });
    await relay.start();
    return { db, store: partnerStore, relay };
  }

  const releasedToMinistry = (agency: string): AppendContext => ({
    correlationId: uuidv7(),
    causationId: uuidv7(),
    actor: `${agency}/officer-1`,
    classification: 'AMBER',
    handling: ['personal-data', 'victim-identity'],
    releasableTo: [agencies['foreign-ministry']],
  });

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    const config = agencyConfigFromEnv('foreign-ministry', {
      ...process.env,
      AGENCY_ID: agencies['foreign-ministry'],
      POLICE_AGENCY_ID: agencies.police,
      IMMIGRATION_AGENCY_ID: agencies.immigration,
      FOREIGN_MINISTRY_AGENCY_ID: agencies['foreign-ministry'],
      TASK_FORCE_AGENCY_ID: agencies['task-force'],
      DATABASE_URL: databaseUrl(ministryDatabase),
      KEYS_DIR: keysDir,
      PORT: '0',
    });
    app = await createAgencyApp(ForeignMinistryModule.forRoot(config), { ...FOREIGN_MINISTRY_API, logger: false });
    await app.listen(0);
    server = app.getHttpServer();
    store = app.get(EventStore);
    police = await partner('police');
    immigration = await partner('immigration');
  });

  afterAll(async () => {
    for (const p of [police, immigration]) {
      await p?.relay.stop();
      await p?.db.drop();
    }
    await app?.close();
    const client = new Client({ connectionString: testServerUrl() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${ministryDatabase}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
    await admin?.disconnect();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const post = (path: string, body: object) => api().post(path).send(body);
  const caseRow = (caseId: string) => api().get(`/cases/${caseId}`).then((r) => (r.status === 200 ? r.body : undefined));
  /** The case as the read model shows it once `ready` holds; partners' events take a trip through Kafka first. */
  const caseOnceItIs = (description: string, caseId: string, ready: (row: Record<string, unknown>) => boolean) =>
    waitFor(description, async () => {
      const row = await caseRow(caseId);
      return row && ready(row) ? row : undefined;
    }, KAFKA_WAIT);
  const eventCount = async () => {
    const [{ count }] = await app.get(DataSource).query(`SELECT count(*)::int AS count FROM interlink.events`);
    return count as number;
  };
  async function allEvents(): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    for (let after = LOG_START; ; ) {
      const batch = await store.readLog(after, { limit: 500 });
      events.push(...batch.map((e) => e.envelope));
      if (batch.length < 500) return events;
      after = batch[batch.length - 1].logPosition;
    }
  }
  async function report(person: object, extra: object = {}): Promise<string> {
    const response = await post('/cases', { commandId: randomUUID(), person, reportedBy: 'relative', reportedOn: '2024-01-15', lastKnownCountry: 'KH', ...extra });
    expect(response.status).toBe(201);
    const caseId: string = response.body.result.caseId;
    await caseOnceItIs(`case ${caseId} in the read model`, caseId, () => true);
    return caseId;
  }

  const nurul = { name: 'Nurul Izzah binti Kamal', birthDate: '1996-08-12', nationality: 'MY', passports: [{ number: 'A55512345', country: 'MY' }] };

  it('reports, locates, arranges the repatriation of and closes a case over HTTP', async () => {
    const reported = await post('/cases', {
      commandId: randomUUID(),
      person: nurul,
      reportedBy: 'mp-office',
      reporter: 'Beruas MP service centre',
      lastKnownCountry: 'KH',
      circumstances: 'Offered a job in Bangkok; last messaged from Poipet.',
      reportedOn: '2024-01-08',
    });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({ replayed: false, result: { events: [{ type: ForeignMinistry.VictimReported.type, streamVersion: 1 }] } });
    const { caseId } = reported.body.result;

    const located = await post(`/cases/${caseId}/located`, { commandId: randomUUID(), country: 'MM', place: 'KK Park, Myawaddy', locatedOn: '2024-01-20' });
    expect(located.body.result.events.map((e: { type: string }) => e.type)).toEqual([ForeignMinistry.VictimLocated.type]);

    const arranged = await post(`/cases/${caseId}/repatriation`, { commandId: randomUUID(), expectedOn: '2024-02-01', checkpoint: 'KLIA' });
    expect(arranged.status).toBe(201);
    const [, , arrangement] = await store.readStream(caseStream(caseId));
    expect(arrangement.data).toEqual({ caseId, person: nurul, expectedOn: '2024-02-01', checkpoint: 'KLIA' });
    expect(arrangement).toMatchObject({ releasableto: `${agencies.immigration},${agencies['task-force']}`, handling: 'personal-data,victim-identity', actor: `${agencies['foreign-ministry']}/caseworker-1` });

    const closed = await post(`/cases/${caseId}/close`, { commandId: randomUUID(), reason: 'the family brought her home privately' });
    expect(closed.body.result.events.map((e: { type: string }) => e.type)).toEqual([ForeignMinistry.CaseClosed.type]);
    const [closedEvent] = await store.readStream(caseStream(caseId), { fromVersion: 4 });
    expect(closedEvent).toMatchObject({ releasableto: agencies['task-force'], classification: 'AMBER' });

    const row = await caseOnceItIs('the closed case in the read model', caseId, (c) => c.status === 'closed');
    expect(row).toMatchObject({ name: nurul.name, birthDate: '1996-08-12', reportedBy: 'mp-office', reporter: 'Beruas MP service centre', country: 'MM', repatriationExpectedOn: '2024-02-01' });
  });

  it('refuses an invalid request with 400 problem+json naming the fields, and appends nothing', async () => {
    const before = await eventCount();
    const response = await post('/cases', {
      commandId: randomUUID(),
      person: { name: 'Siti', birthDate: '2024-02-30' },
      reportedBy: 'neighbour',
      reportedOn: '2024-01-08',
      urgent: true,
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.type).toBe('urn:interlink:problem:invalid-request');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/birthDate must be a real calendar date/), expect.stringMatching(/^reportedBy must be one of relative/), 'property urgent should not exist']),
    );
    expect(await eventCount()).toBe(before);
  });

  it('refuses a command a business rule forbids with 422 problem+json, and appends nothing', async () => {
    const caseId = await report({ name: 'Lee Chong Wei', birthDate: '1988-03-03', nationality: 'MY' });
    const before = await eventCount();
    const response = await post(`/cases/${caseId}/repatriation`, { commandId: randomUUID(), expectedOn: '2024-02-01' });
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'urn:interlink:problem:victim-not-located', detail: expect.stringMatching(/located or rescued/) });
    const unknown = await post(`/cases/${randomUUID()}/located`, { commandId: randomUUID(), country: 'MM', locatedOn: '2024-01-20' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.type).toBe('urn:interlink:problem:case-not-found');
    expect(await eventCount()).toBe(before);
  });

  it('answers a retried command with the first result, marked replayed, and no second event', async () => {
    const command = { commandId: randomUUID(), person: { name: 'Wong Ah Beng', nationality: 'MY' }, reportedBy: 'self', reportedOn: '2024-01-10' };
    const first = await post('/cases', command);
    const again = await post('/cases', command);
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await store.readStream(caseStream(first.body.result.caseId))).toHaveLength(1);
  });

  let faizalCase: string;

  it('reconciles a police rescue: a matching open report is rescued, an unreported person gets a case', async () => {
    faizalCase = await report({ name: 'Mohd Faizal bin Ahmad', birthDate: '1992-11-30', nationality: 'MY' });
    const rescueId = uuidv7();
    const [rescued] = (
      await police.store.append(
        `raid-${uuidv7()}`,
        0,
        [
          {
            type: Police.VictimsRescued.type,
            data: {
              rescueId,
              place: 'Compound 7, Shwe Kokko',
              country: 'MM',
              rescuedOn: '2024-02-03',
              persons: [
                { personId: uuidv7(), name: 'AHMAD MUHAMMAD FAIZAL', birthDate: '1992-11-30', nationality: 'MY' },
                { personId: uuidv7(), name: 'Lim Wei Jie', birthDate: '2000-06-15', nationality: 'MY', passports: [{ number: 'A77788899', country: 'MY' }] },
              ],
            } satisfies Police.VictimsRescued,
          },
        ],
        releasedToMinistry(agencies.police),
      )
    ).events as EventEnvelope<Police.VictimsRescued>[];
    const rescueRef = { agency: agencies.police, id: rescueId, eventId: rescued.id };

    const matched = await caseOnceItIs('the reported case rescued', faizalCase, (c) => c.status === 'rescued');
    expect(matched).toMatchObject({ country: 'MM', rescuedOn: '2024-02-03', rescueRef });
    const [, rescue] = await store.readStream(caseStream(faizalCase));
    expect(rescue.data).toMatchObject({ match: { reason: 'name-and-birth-date', explanation: expect.stringMatching(/MOHD\/MUHAMMAD by transliteration/) } });

    const newCase = deterministicUuid(rescued.id, rescued.data.persons[1].personId);
    const opened = await caseOnceItIs('a case for the unreported person', newCase, (c) => c.status === 'rescued');
    expect(opened).toMatchObject({ name: 'Lim Wei Jie', reportedBy: 'police', reportedOn: '2024-02-03', country: 'MM', rescueRef, passportNumbers: ['A77788899'] });
  });

  it('flags an open case matching a police suspect for review; reclassified as a suspect, it leaves the counts', async () => {
    const caseId = await report({ name: 'Tan Mei Ling', birthDate: '1990-05-14', nationality: 'MY', passports: [{ number: 'A12345678', country: 'MY' }] });
    const before = (await api().get('/reports/summary')).body;
    const suspectId = uuidv7();
    const [identified] = (
      await police.store.append(
        `suspect-${suspectId}`,
        0,
        [{ type: Police.SuspectIdentified.type, data: { suspectId, person: { name: 'TAN MEI LING', passports: [{ number: 'a1234 5678', country: 'MY' }] }, role: 'recruiter' } satisfies Police.SuspectIdentified }],
        releasedToMinistry(agencies.police),
      )
    ).events;

    const flagged = await caseOnceItIs('the case under review', caseId, (c) => c.underReview === true);
    expect(flagged.flaggedSuspects).toEqual([{ agency: agencies.police, id: suspectId, eventId: identified.id }]);
    const underReview = await api().get('/cases').query({ underReview: 'true' });
    expect(underReview.body.map((c: { caseId: string }) => c.caseId)).toEqual([caseId]);

    const decided = await post(`/cases/${caseId}/reclassify`, { commandId: randomUUID(), outcome: 'suspect', note: 'ran the recruitment office in Johor Bahru' });
    expect(decided.status).toBe(201);
    await caseOnceItIs('the case reclassified', caseId, (c) => c.reclassifiedAs === 'suspect');
    const after = (await api().get('/reports/summary')).body;
    expect(after.stillTracked).toBe(before.stillTracked - 1);
    expect(after.total).toBe(before.total - 1);
    expect(after.byCountry.KH.stillTracked).toBe(before.byCountry.KH.stillTracked - 1);
    expect(after.byMonth['2024-01'].reported).toBe(before.byMonth['2024-01'].reported - 1);
  });

  it('marks a case repatriated when immigration records the victim’s return', async () => {
    const arranged = await post(`/cases/${faizalCase}/repatriation`, { commandId: randomUUID(), expectedOn: '2024-02-10', checkpoint: 'KLIA' });
    expect(arranged.status).toBe(201);
    const crossingId = uuidv7();
    const [recorded] = (
      await immigration.store.append(
        `expectation-${uuidv7()}`,
        0,
        [
          {
            type: Immigration.VictimReturnRecorded.type,
            data: {
              expectationId: uuidv7(),
              crossingId,
              case: { agency: agencies['foreign-ministry'], id: faizalCase },
              traveller: { name: 'MOHD FAIZAL BIN AHMAD', birthDate: '1992-11-30', nationality: 'MY', passport: { number: 'A99988877', country: 'MY' } },
              checkpoint: 'KLIA',
              crossedAt: '2024-02-10T23:40:00+08:00',
              match: { reason: 'name-and-birth-date', score: 0.95, explanation: 'names and birth dates agree' },
            } satisfies Immigration.VictimReturnRecorded,
          },
        ],
        releasedToMinistry(agencies.immigration),
      )
    ).events;

    const home = await caseOnceItIs('the case repatriated', faizalCase, (c) => c.status === 'repatriated');
    expect(home.returnedOn).toBe('2024-02-10');
    const [repatriated] = (await store.readStream(caseStream(faizalCase))).slice(-1);
    expect(repatriated.data).toEqual({ caseId: faizalCase, returnedOn: '2024-02-10', checkpoint: 'KLIA', crossing: { agency: agencies.immigration, id: crossingId, eventId: recorded.id } });
  });

  it('publishes statistics equal to a count over the raw history, and the same after a rebuild from the log', async () => {
    const summary = await waitFor('the read model caught up with the log', async () => {
      const published = (await api().get('/reports/summary')).body;
      const recounted = summariseHistory(await allEvents());
      return isDeepStrictEqual(published, recounted) ? published : undefined;
    });
    expect(summary).toEqual(summariseHistory(await allEvents()));
    expect(summary).toMatchObject({ rescuedAndReturned: 1, stillTracked: 3, byCountry: { MM: { rescuedAndReturned: 1, stillTracked: 1, total: 2 } } });
    expect(summary.byMonth['2024-02']).toEqual({ reported: 1, rescued: 2, returned: 1 });
    expect((await api().get('/admin/parked')).body).toEqual([]);

    const rebuilt = await api().post('/admin/projections/victim_cases/rebuild');
    expect(rebuilt.status).toBe(200);
    expect((await api().get('/reports/summary')).body).toEqual(summary);
  });

  it('documents every route at /docs', async () => {
    const { paths } = (await api().get('/docs-json')).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/cases',
        '/cases/{caseId}',
        '/cases/{caseId}/located',
        '/cases/{caseId}/rescued',
        '/cases/{caseId}/repatriation',
        '/cases/{caseId}/return',
        '/cases/{caseId}/close',
        '/cases/{caseId}/reclassify',
        '/reports/summary',
      ]),
    );
  });
});
