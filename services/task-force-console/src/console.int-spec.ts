import request from 'supertest';
import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { waitFor } from '@interlink/testing';
import { consumerName } from './intake/intake.runtime';
import { ConsoleFixture, startConsole, withheld } from '../test/harness';
import { Scenario, playScenario } from '../test/scenario';
import { openSse } from '../test/sse-client';

const KAFKA_WAIT = { timeoutMs: 60000, intervalMs: 100 };

/**
 * The console's API over real Kafka and Postgres: partners' relays publish what they release to
 * the task force, the console verifies and records it, and serves the feed (also live, over SSE,
 * resumable), the dashboards and the dossiers to task-force tokens.
 */
describe('task-force console API (real Kafka, real Postgres)', () => {
  let f: ConsoleFixture;
  let s: Scenario;
  const api = (token: string | null = f.token()) => {
    const agent = request(f.app.getHttpServer());
    return { get: (url: string) => (token ? agent.get(url).set('Authorization', `Bearer ${token}`) : agent.get(url)), post: (url: string) => (token ? agent.post(url).set('Authorization', `Bearer ${token}`) : agent.post(url)) };
  };
  const feedCount = async () => (await api().get('/api/feed?limit=500').expect(200)).body.items.length as number;

  beforeAll(async () => {
    f = await startConsole();
    s = await playScenario(f);
    await waitFor('the scenario in the feed', async () => (await feedCount()) === s.released.length, KAFKA_WAIT);
  });
  afterAll(() => f?.stop());

  it('shows every released event newest first, each with a plain sentence; personal data as released', async () => {
    const { body } = await api().get('/api/feed').expect(200);
    const items = body.items as { eventId: string; seq: number; subject: string }[];
    // Newest first by arrival; agencies' feeds interleave, but each stream keeps its order.
    expect(items.map((i) => i.eventId).sort()).toEqual(s.released.map((e) => e.id).sort());
    expect(items.map((i) => i.seq)).toEqual([...items.map((i) => i.seq)].sort((a, b) => b - a));
    for (const stream of new Set(s.released.map((e) => e.subject))) {
      expect(items.filter((i) => i.subject === stream).map((i) => i.eventId)).toEqual(s.released.filter((e) => e.subject === stream).map((e) => e.id).reverse());
    }
    expect(body.head).toBe(items[0].seq);
    const alert = body.items.find((i: { eventId: string }) => i.eventId === s.alert.id);
    expect(alert).toMatchObject({
      agency: f.agencies.immigration,
      role: 'immigration',
      type: 'intel.immigration.border-alert-raised',
      classification: 'AMBER',
      handling: ['law-enforcement-only', 'personal-data'],
      sentence: `Immigration (${f.agencies.immigration}): watchlisted passport seen at KLIA, outbound`,
      correlationId: s.identification.correlationid,
      persons: [{ at: 'traveller', view: { state: 'redacted', ref: s.crossingId, nationality: 'MY' } }],
      primaryEntity: `alert:${f.agencies.immigration}:${s.alertId}`,
    });
    expect(alert.entities).toEqual(expect.arrayContaining([`suspect:${f.agencies.police}:${s.recruiterId}`, `person:${f.agencies.immigration}:${s.crossingId}`]));
    expect(alert.sequence).toBeGreaterThan(0);
    const erased = body.items.find((i: { subject: string }) => i.subject === `suspect-${s.erasedSuspectId}`);
    expect(erased.persons[0].view).toEqual({ state: 'erased', ref: s.erasedSuspectId, digest: expect.stringMatching(/^sha256:/), nationality: 'MY' });
    expect(erased.sentence).toMatch(/money mule identified: a person from Malaysia \(erased, pseudonym /);
    const rescue = body.items.find((i: { type: string }) => i.type === 'intel.police.victims-rescued');
    expect(rescue.sentence).toBe(`Police (${f.agencies.police}): 3 people rescued at House in La Molina, Peru`);
    expect(rescue.persons.map((p: { view: { state: string } }) => p.view.state)).toEqual(['redacted', 'redacted', 'redacted']);
  });

  it('pages back through older events', async () => {
    const first = (await api().get('/api/feed?limit=5').expect(200)).body;
    expect(first.items).toHaveLength(5);
    const second = (await api().get(`/api/feed?limit=5&before=${first.nextBefore}`).expect(200)).body;
    expect(second.items[0].seq).toBeLessThan(first.items[4].seq);
    const all = (await api().get('/api/feed?limit=500').expect(200)).body;
    expect([...first.items, ...second.items].map((i: { seq: number }) => i.seq)).toEqual(all.items.slice(0, 10).map((i: { seq: number }) => i.seq));
    expect(all.nextBefore).toBeNull();
  });

  it('filters by agency, event type, country and marking, combined; bad filters are a 400 problem naming the field', async () => {
    const only = async (query: string) => (await api().get(`/api/feed?${query}`).expect(200)).body.items as { agency: string; type: string; countries: string[]; eventId: string }[];
    const ministry = await only(`agency=${f.agencies['foreign-ministry']}`);
    expect(ministry.length).toBe(s.released.filter((e) => e.source.endsWith(f.agencies['foreign-ministry'])).length);
    expect((await only('type=intel.police.suspect-identified')).map((i) => i.type)).toEqual(['intel.police.suspect-identified', 'intel.police.suspect-identified']);
    const peru = await only('country=PE');
    expect(peru.length).toBeGreaterThan(0);
    expect(peru.every((i) => i.countries.includes('PE'))).toBe(true);
    expect(await only(`country=PE&agency=${f.agencies.police}`)).toEqual(peru.filter((i) => i.agency === f.agencies.police));
    expect(await only('marking=RED')).toEqual([]);
    expect((await only('marking=AMBER')).length).toBe(s.released.length);
    const facets = (await api().get('/api/feed/facets').expect(200)).body;
    expect(facets).toMatchObject({ markings: ['AMBER'], countries: ['KH', 'MY', 'PE'] });
    expect(facets.agencies).toEqual([f.agencies['foreign-ministry'], f.agencies.immigration, f.agencies.police].sort());

    const bad = await api().get('/api/feed?country=peru&marking=BLUE&limit=0&before=abc&agency=Police!').expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body).toMatchObject({ type: 'urn:interlink:problem:invalid-request', status: 400 });
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        'country must be a two-letter country code in capitals, e.g. PE',
        expect.stringMatching(/^marking must be one of CLEAR, GREEN, AMBER/),
        'limit must be a whole number from 1 to 500',
        'before must be a whole number (a feed number)',
        'agency must be an agency id such as police or kh-police',
      ]),
    );
    const unknown = await api().get('/api/feed?colour=red').expect(400);
    expect(unknown.body.errors).toEqual(['property colour should not exist']);
  });

  it('refuses requests without a valid task-force token with a problem', async () => {
    const none = await api(null).get('/api/feed').expect(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(none.body.detail).toMatch(/send a bearer token/);
    expect((await api('not-a-token').get('/api/feed').expect(401)).body.detail).toMatch(/not a JWT/);
    const police = await api(f.token({ agency: f.agencies.police })).get('/api/feed').expect(403);
    expect(police.body.detail).toBe(`this service serves ${f.agencies['task-force']}; your token is for ${f.agencies.police}`);
    expect((await api(f.token({ roles: ['auditor'] })).get('/api/feed').expect(403)).body.detail).toMatch(/needs one of the roles officer, analyst, supervisor/);
    expect((await api(null).get('/api/feed/stream').expect(401)).headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await api().post('/admin/read-model/rebuild').expect(403)).body.detail).toMatch(/supervisor/);
    const session = (await api().get('/api/session').expect(200)).body;
    expect(session).toMatchObject({ user: 'analyst.lim', agency: f.agencies['task-force'], roles: ['analyst'] });
    await api(null).get('/health').expect(200);
  });

  it('streams new events live and resumes after Last-Event-ID with no gap and no repeat', async () => {
    const headers = { Authorization: `Bearer ${f.token()}` };
    const head = (await api().get('/api/feed?limit=1').expect(200)).body.head as number;
    const live = await openSse(`${f.url}/api/feed/stream`, headers);
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toMatch(/text\/event-stream/);
    const stream = `suspect-${uuidv7()}`;
    const suspectId = stream.slice('suspect-'.length);
    const published = Date.now();
    const first = await f.publish('police', stream, { type: 'intel.police.suspect-identified', data: { suspectId, role: 'operator', person: withheld(suspectId, 'CN') } });
    const [event] = await live.waitFor(1, 30000);
    expect(event).toMatchObject({ event: 'feed', id: String(head + 1) });
    expect(JSON.parse(event.data)).toMatchObject({ eventId: first.id, seq: head + 1 });
    expect(Date.now() - published).toBeLessThan(15000);
    live.close();

    // While nobody listens, three more arrive; resuming after the last id received gives exactly those.
    const missed: EventEnvelope[] = [];
    for (const [i, status] of ['arrested', 'charged', 'convicted'].entries()) {
      const type = `intel.police.suspect-${status}`;
      const data =
        status === 'arrested'
          ? { suspectId, arrestedOn: '2023-12-01', place: 'KLIA', country: 'MY' }
          : status === 'charged'
            ? { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2023-12-02' }
            : { suspectId, convictedOn: '2024-03-01', sentence: `${i + 4} years` };
      missed.push(await f.publish('police', stream, { type, data }));
    }
    await waitFor('the missed events recorded', async () => (await feedCount()) === s.released.length + 4, KAFKA_WAIT);
    const resumed = await openSse(`${f.url}/api/feed/stream?after=0`, { ...headers, 'Last-Event-ID': event.id! });
    const events = await resumed.waitFor(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(resumed.events.map((e) => e.id)).toEqual([String(head + 2), String(head + 3), String(head + 4)]);
    expect(resumed.events.map((e) => JSON.parse(e.data).eventId)).toEqual(missed.map((m) => m.id));
    expect(events.map((e) => JSON.parse(e.data).sentence)).toEqual([
      `Police (${f.agencies.police}): suspect arrested at KLIA, Malaysia on 2023-12-01`,
      `Police (${f.agencies.police}): suspect charged under ATIPSOM 2007 s. 12`,
      `Police (${f.agencies.police}): suspect convicted: 6 years`,
    ]);
    resumed.close();

    // A stream with a filter, from the start: only the matching events, in feed order.
    const filtered = await openSse(`${f.url}/api/feed/stream?after=0&type=intel.immigration.border-alert-raised`, headers);
    const [only] = await filtered.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(filtered.events).toHaveLength(1);
    expect(JSON.parse(only.data).eventId).toBe(s.alert.id);
    filtered.close();

    const bad = await openSse(`${f.url}/api/feed/stream`, { ...headers, 'Last-Event-ID': 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    await new Promise((r) => setTimeout(r, 200));
    expect(JSON.parse(bad.body()).errors[0]).toMatch(/^Last-Event-ID must be the number of the last feed event received/);
    bad.close();
    const badAfter = await openSse(`${f.url}/api/feed/stream?after=-3&marking=PURPLE`, headers);
    expect(badAfter.status).toBe(400);
    badAfter.close();
  });

  it('counts victims, alerts per checkpoint and suspects for the dashboards', async () => {
    const victims = (await api().get('/api/dashboard/victims').expect(200)).body;
    expect(victims.totals).toEqual({ rescued: 2, repatriated: 1, stillTracked: 2 });
    expect(victims.byCountry).toEqual([
      { country: 'KH', rescued: 0, repatriated: 0, stillTracked: 1 },
      { country: 'PE', rescued: 2, repatriated: 1, stillTracked: 1 },
    ]);
    expect(victims.overTime).toEqual([
      { month: '2023-09', rescued: 0, repatriated: 0, stillTracked: 3 },
      { month: '2023-10', rescued: 2, repatriated: 0, stillTracked: 3 },
      { month: '2023-11', rescued: 0, repatriated: 1, stillTracked: 2 },
    ]);
    expect(victims.freedInRescues).toEqual([{ country: 'PE', persons: 3, rescues: 1 }]);
    const alerts = (await api().get('/api/dashboard/alerts').expect(200)).body;
    expect(alerts.byCheckpoint).toEqual([{ checkpoint: 'KLIA', raised: 1, confirmed: 0, dismissed: 0, total: 1 }]);
    const suspects = (await api().get('/api/dashboard/suspects').expect(200)).body;
    expect(suspects.byStatus).toEqual(expect.arrayContaining([{ status: 'identified', count: 2 }]));
    expect(suspects.byRole).toEqual(expect.arrayContaining([{ role: 'recruiter', count: 1 }, { role: 'money-mule', count: 1 }]));
  });

  it('reports consumer lag per topic partition from the brokers: nothing behind once everything is read', async () => {
    const lag = await waitFor(
      'the committed offsets to reach the high watermarks',
      async () => {
        const body = (await api().get('/api/dashboard/lag').expect(200)).body;
        return body.total === 0 && body.partitions.some((p: { committed: number | null }) => p.committed !== null) ? body : undefined;
      },
      KAFKA_WAIT,
    );
    expect(lag.consumer).toBe(`${f.agencies['task-force']}-console`);
    expect(new Set(lag.partitions.map((p: { topic: string }) => p.topic))).toEqual(
      new Set(['police', 'immigration', 'foreign-ministry'].map((r) => `intel.${f.agencies[r as 'police']}.${f.agencies['task-force']}`)),
    );
    const police = lag.partitions.filter((p: { sender: string }) => p.sender === f.agencies.police);
    expect(police).toHaveLength(3);
    expect(police.reduce((n: number, p: { high: number }) => n + p.high, 0)).toBe(s.released.filter((e) => e.source.endsWith(f.agencies.police)).length + 4);
    for (const p of lag.partitions) expect(p.lag).toBe(p.high - (p.committed ?? p.low));
  });

  it('exposes Prometheus metrics without a token: what its consumer applied, its lag per partition, what it parked', async () => {
    const consumer = consumerName(f.agencies['task-force']);
    const metric = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    const text = await waitFor('the lag measured', async () => {
      const { text } = await api(null).get('/metrics').expect(200).expect('Content-Type', /^text\/plain/);
      return text.includes(`interlink_consumer_lag_messages{consumer="${consumer}",`) ? text : undefined;
    }, KAFKA_WAIT);
    expect(metric(text, `interlink_events_consumed_total{consumer="${consumer}",outcome="applied"}`)).toBeGreaterThanOrEqual(s.released.length);
    expect(metric(text, `interlink_parked_events{consumer="${consumer}"}`)).toBeGreaterThanOrEqual(0);
    expect(metric(text, `interlink_http_request_duration_seconds_count{method="GET",route="/api/feed",status="200"}`)).toBeGreaterThan(0);
  });

  it("opens a suspect's dossier across agencies: linked records, the reason for each match, a timeline with causes", async () => {
    const root = `suspect:${f.agencies.police}:${s.recruiterId}`;
    const dossier = (await api().get(`/api/dossiers/suspect/${f.agencies.police}/${s.recruiterId}`).expect(200)).body;
    expect(dossier.root).toMatchObject({ entity: root, kind: 'suspect', status: 'identified', person: { state: 'redacted', ref: s.recruiterId, nationality: 'MY' } });
    expect(dossier.root.details).toMatchObject({ role: 'recruiter', sightings: 1, lastSeenCheckpoint: 'KLIA' });
    const records = dossier.records.map((r: { entity: string }) => r.entity);
    expect(records).toEqual(
      expect.arrayContaining([
        root,
        `syndicate:${f.agencies.police}:${s.syndicateId}`,
        `alert:${f.agencies.immigration}:${s.alertId}`,
        `case:${f.agencies['foreign-ministry']}:${s.caseFlagged}`,
        `person:${f.agencies.police}:${s.recruiterId}`,
      ]),
    );
    // The syndicate is shown but not followed: the raid and its rescue belong to the syndicate's dossier.
    expect(records).not.toContain(`raid:${f.agencies.police}:${s.raidId}`);
    expect(dossier.matches).toEqual(
      expect.arrayContaining([
        // The explanations name people and passports: the task force gets them redacted.
        expect.objectContaining({ from: `alert:${f.agencies.immigration}:${s.alertId}`, to: root, match: { reason: 'passport', score: 1, withheld: 'redacted' } }),
        expect.objectContaining({ from: `case:${f.agencies['foreign-ministry']}:${s.caseFlagged}`, to: root, match: { reason: 'name-and-birth-date', score: 0.88, withheld: 'redacted' }, eventId: s.flag.id }),
      ]),
    );
    const timeline = dossier.timeline as { eventId: string; cause: { eventId: string; inTimeline: boolean; sentence: string | null } }[];
    const ids = timeline.map((t) => t.eventId);
    expect(ids).toEqual(expect.arrayContaining([s.identification.id, s.alert.id, s.sighting.id, s.flag.id]));
    const sighted = timeline.find((t) => t.eventId === s.sighting.id)!;
    expect(sighted.cause).toMatchObject({ eventId: s.alert.id, inTimeline: true, sentence: `Immigration (${f.agencies.immigration}): watchlisted passport seen at KLIA, outbound` });
    const flagged = timeline.find((t) => t.eventId === s.flag.id)!;
    expect(flagged.cause).toMatchObject({ eventId: s.identification.id, inTimeline: true });
    const alerted = timeline.find((t) => t.eventId === s.alert.id)!;
    expect(alerted.cause).toMatchObject({ inTimeline: false, sentence: null });

    const syndicate = (await api().get(`/api/dossiers/syndicate/${f.agencies.police}/${s.syndicateId}`).expect(200)).body;
    expect(syndicate.root.title).toBe('syndicate "Macau scam"');
    expect(syndicate.records.map((r: { entity: string }) => r.entity)).toEqual(
      expect.arrayContaining([root, `raid:${f.agencies.police}:${s.raidId}`, `rescue:${f.agencies.police}:${s.rescueId}`]),
    );
    const subjects = (await api().get('/api/dossiers?kind=syndicate&q=macau').expect(200)).body;
    expect(subjects.map((r: { entity: string }) => r.entity)).toEqual([`syndicate:${f.agencies.police}:${s.syndicateId}`]);

    await api().get(`/api/dossiers/suspect/${f.agencies.police}/${uuidv7()}`).expect(404);
    const bad = await api().get(`/api/dossiers/planet/${f.agencies.police}/not-a-uuid`).expect(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^kind must be one of/), "id must be the record's id (a UUID)"]));
  });

  it('shows full personal data when an event carries it, and records a redelivered event once', async () => {
    const crossingId = uuidv7();
    const alertId = uuidv7();
    const disclosed = f.envelope('immigration', `alert-${alertId}`, {
      type: 'intel.immigration.border-alert-raised',
      data: {
        alertId,
        crossingId,
        entryId: uuidv7(),
        traveller: { name: 'Mohd Faizal bin Ahmad', birthDate: '1984-11-09', nationality: 'MY', passport: { number: 'A30417792', country: 'MY' } },
        direction: 'inbound',
        checkpoint: 'Bukit Kayu Hitam',
        crossedAt: '2023-12-05T10:00:00Z',
        match: { reason: 'name-and-birth-date', score: 0.9, explanation: 'names agree apart from word order; birth dates agree' },
      },
    });
    const before = await feedCount();
    const sent = await f.publishDirect('immigration', disclosed);
    const item = await waitFor('the disclosed alert', async () => (await api().get(`/api/feed/events/${disclosed.id}`)).body.item, KAFKA_WAIT);
    expect(item.persons).toEqual([
      { at: 'traveller', view: { state: 'disclosed', name: 'Mohd Faizal bin Ahmad', birthDate: '1984-11-09', nationality: 'MY', passports: [{ number: 'A30417792', country: 'MY' }] } },
    ]);
    expect(item.sentence).toBe(`Immigration (${f.agencies.immigration}): watchlisted name and birth date seen at Bukit Kayu Hitam, inbound`);

    // The same message again (a relay that crashed before its checkpoint publishes it again).
    await f.publishDirect('immigration', sent, { sealed: false });
    const marker = await f.publish('police', `raid-${uuidv7()}`, { type: 'intel.police.raid-conducted', data: { raidId: uuidv7(), place: 'Compound', country: 'KH', conductedOn: '2024-01-10' } });
    await waitFor('a later event', async () => (await api().get(`/api/feed/events/${marker.id}`)).status === 200, KAFKA_WAIT);
    expect(await feedCount()).toBe(before + 2);
  });

  it('parks an event whose seal does not verify and shows nothing of it', async () => {
    const caseId = uuidv7();
    const forged = f.envelope('foreign-ministry', `case-${caseId}`, {
      type: 'intel.foreign-ministry.victim-reported',
      data: { caseId, person: withheld(caseId, 'MY'), reportedBy: 'ngo', reportedOn: '2023-12-01', lastKnownCountry: 'MM' },
    });
    await f.publishDirect('foreign-ministry', forged, { tamper: (e) => ((e.data as { lastKnownCountry: string }).lastKnownCountry = 'TH') });
    const supervisor = f.token({ roles: ['supervisor'], user: 'supervisor.tan' });
    const parked = await waitFor(
      'the forged event parked',
      async () => ((await api(supervisor).get('/admin/parked').expect(200)).body as { eventId: string; reason: string }[]).find((p) => p.eventId === forged.id),
      KAFKA_WAIT,
    );
    expect(parked.reason).toMatch(/payload that was changed after it was sealed/);
    await api().get(`/api/feed/events/${forged.id}`).expect(404);
  });

  it("withdraws what it holds of a suspect when police take back the task force's access", async () => {
    const suspectId = uuidv7();
    const identified = await f.publish('police', `suspect-${suspectId}`, { type: 'intel.police.suspect-identified', data: { suspectId, role: 'sponsor', person: withheld(suspectId, 'SG') } });
    await waitFor('the suspect', async () => (await api().get(`/api/feed/events/${identified.id}`)).status === 200, KAFKA_WAIT);
    const change = await f.publish('police', `suspect-${suspectId}`, {
      type: 'intel.police.suspect-marking-changed',
      data: { suspectId, classification: 'AMBER', releasableTo: [f.agencies.immigration], reason: 'source protection' },
    });
    await waitFor('the marking change', async () => (await api().get(`/api/feed/events/${change.id}`)).status === 200, KAFKA_WAIT);
    const { item } = (await api().get(`/api/feed/events/${identified.id}`).expect(200)).body;
    expect(item).toMatchObject({ data: {}, persons: [], withdrawn: { reason: `Police (${f.agencies.police}) withdrew the task force's access: source protection` } });
    expect(item.sentence).toBe(`Police (${f.agencies.police}): suspect identified (withdrawn)`);
    await api().get(`/api/dossiers/suspect/${f.agencies.police}/${suspectId}`).expect(200);
    const subjects = (await api().get(`/api/dossiers?q=${suspectId}`).expect(200)).body;
    expect(subjects).toEqual([]);
  });

  it('rebuilds the dashboards and dossiers from the feed to what was built live', async () => {
    const read = async () => ({
      victims: (await api().get('/api/dashboard/victims').expect(200)).body,
      alerts: (await api().get('/api/dashboard/alerts').expect(200)).body,
      suspects: (await api().get('/api/dashboard/suspects').expect(200)).body,
      dossier: (await api().get(`/api/dossiers/suspect/${f.agencies.police}/${s.recruiterId}`).expect(200)).body,
      subjects: (await api().get('/api/dossiers').expect(200)).body,
    });
    const before = await read();
    const supervisor = f.token({ roles: ['supervisor'], user: 'supervisor.tan' });
    const rebuilt = await api(supervisor).post('/admin/read-model/rebuild').expect(200);
    expect(rebuilt.body.replayed).toBe(await feedCount());
    const after = await read();
    const sortSubjects = (list: { entity: string }[]) => [...list].sort((a, b) => a.entity.localeCompare(b.entity));
    expect({ ...after, subjects: sortSubjects(after.subjects) }).toEqual({ ...before, subjects: sortSubjects(before.subjects) });
  });
});

/**
 * A deployment whose partners grant the task force personal data: events come sealed, with the
 * records' keys on the keys topics; the console opens and shows them in full, and when the owner
 * erases a record, keeps nothing personal of it.
 */
describe('task-force console granted personal data (real Kafka, real Postgres)', () => {
  let f: ConsoleFixture;
  const api = () => {
    const agent = request(f.app.getHttpServer());
    return { get: (url: string) => agent.get(url).set('Authorization', `Bearer ${f.token()}`) };
  };
  const event = (id: string) => waitFor(`event ${id} in the feed`, async () => (await api().get(`/api/feed/events/${id}`)).body.item, KAFKA_WAIT);

  beforeAll(async () => {
    f = await startConsole({ grantPersonalData: true });
  });
  afterAll(() => f?.stop());

  it('shows the person in full, then erased with the pseudonym once the owner erases the record', async () => {
    const suspectId = uuidv7();
    const person = { name: 'Mohd Faizal bin Ahmad', aliases: ['Ah Fai'], birthDate: '1984-11-09', nationality: 'MY', passports: [{ number: 'A 3041 7792', country: 'MY' }] };
    const identified = await f.publish('police', `suspect-${suspectId}`, { type: 'intel.police.suspect-identified', data: { suspectId, role: 'recruiter', person } });
    const shown = await event(identified.id);
    expect(shown.persons).toEqual([{ at: 'person', view: { state: 'disclosed', ...person } }]);
    expect(shown.sentence).toBe(`Police (${f.agencies.police}): Mohd Faizal bin Ahmad identified as a recruiter`);
    const before = (await api().get(`/api/dossiers/suspect/${f.agencies.police}/${suspectId}`).expect(200)).body;
    expect(before.root.person).toMatchObject({ state: 'disclosed', name: 'Mohd Faizal bin Ahmad' });

    const erasure = await f.publish('police', `erasure-${suspectId}`, { type: 'intel.police.personal-data-erased', data: { ref: suspectId, reason: 'court order 2026/41' } });
    await event(erasure.id);
    const after = (await api().get(`/api/feed/events/${identified.id}`).expect(200)).body.item;
    expect(after.persons).toEqual([{ at: 'person', view: { state: 'erased', ref: suspectId, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), nationality: 'MY' } }]);
    expect(after.sentence).toBe(`Police (${f.agencies.police}): recruiter identified: a person from Malaysia (erased, pseudonym ${suspectId.slice(-8)})`);
    expect(JSON.stringify(after.data)).not.toMatch(/Faizal|3041|1984-11-09|Ah Fai/);
    const dossier = (await api().get(`/api/dossiers/suspect/${f.agencies.police}/${suspectId}`).expect(200)).body;
    expect(dossier.root.person).toMatchObject({ state: 'erased', ref: suspectId });
    expect(JSON.stringify(dossier)).not.toMatch(/Faizal|3041|1984-11-09|Ah Fai/);
    const sentence = (await api().get(`/api/feed/events/${erasure.id}`).expect(200)).body.item.sentence;
    expect(sentence).toBe(`Police (${f.agencies.police}): personal data of person record ${suspectId.slice(-8)} erased (court order 2026/41)`);
  });
});
