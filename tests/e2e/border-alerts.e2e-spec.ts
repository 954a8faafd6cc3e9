import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { waitFor } from '@interlink/testing';
import { Stack, startStack } from './stack';

/**
 * Police identify a suspect; immigration watchlists them; a crossing at a checkpoint raises an
 * alert that reaches police, whose read model then shows where the suspect was seen.
 */
describe('border alerts between police and immigration (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(['police', 'immigration']);
  });
  afterAll(() => stack?.stop());

  const recruiter = {
    name: 'Mohd Faizal bin Ahmad',
    aliases: ['Ah Fai'],
    birthDate: '1984-11-09',
    nationality: 'MY',
    passports: [{ number: 'A 3041 7792', country: 'MY' }],
  };

  async function identify(person: object, role = 'recruiter') {
    const commandId = uuidv7();
    const res = await stack.police.http().post('/suspects').send({ commandId, person, role }).expect(201);
    return { commandId, suspectId: res.body.result.suspectId as string, eventId: res.body.result.events[0].id as string };
  }

  async function watchlisted(suspectId: string) {
    return waitFor('the suspect on the immigration watchlist', async () => {
      const res = await stack.immigration.http().get('/watchlist').expect(200);
      return res.body.find((e: { suspect?: { id: string } }) => e.suspect?.id === suspectId);
    });
  }

  function cross(traveller: object, direction = 'outbound', checkpoint = 'KLIA') {
    return stack.immigration.http().post('/crossings').send({
      commandId: uuidv7(),
      traveller,
      direction,
      checkpoint,
      crossedAt: '2023-10-19T08:15:00Z',
    });
  }

  it('a watchlisted passport at KLIA raises an alert that police see, traced to the identification', async () => {
    const { suspectId, commandId, eventId } = await identify(recruiter);
    const entry = await watchlisted(suspectId);
    expect(entry).toMatchObject({ name: recruiter.name, role: 'recruiter', status: 'active', reason: expect.stringContaining('recruiter') });

    const crossing = await cross({ name: 'AHMAD MOHD FAIZAL', birthDate: '1984-11-09', nationality: 'MY', passport: { number: 'A30417792', country: 'MY' } }).expect(201);
    expect(crossing.body.result.alerts).toHaveLength(1);
    expect(crossing.body.result.alerts[0].match).toMatchObject({ reason: 'passport', score: 1 });

    const suspect = await waitFor('police to see the sighting', async () => {
      const res = await stack.police.http().get(`/suspects/${suspectId}`).expect(200);
      return res.body.lastSeenCheckpoint ? res.body : undefined;
    });
    expect(suspect).toMatchObject({ lastSeenCheckpoint: 'KLIA', lastSeenDirection: 'outbound', sightings: 1, status: 'identified' });
    expect(new Date(suspect.lastSeenAt).toISOString()).toBe('2023-10-19T08:15:00.000Z');

    // The causal chain: identification -> watchlist entry -> alert -> sighting, one correlation id throughout.
    const [identification] = (await stack.police.log()).filter((e) => e.id === eventId);
    expect(identification.correlationid).toBe(commandId);
    const immigrationLog = await stack.immigration.log();
    const added = immigrationLog.find((e) => e.type === 'intel.immigration.watchlist-entry-added' && (e.data as { suspect?: { id: string } }).suspect?.id === suspectId)!;
    expect(added).toMatchObject({ causationid: identification.id, correlationid: identification.correlationid, actor: `${stack.immigration.id}/policy/watchlist-from-police` });
    const alert = immigrationLog.find((e) => e.type === 'intel.immigration.border-alert-raised')!;
    const recorded = immigrationLog.find((e) => e.type === 'intel.immigration.border-crossing-recorded')!;
    expect(alert).toMatchObject({ correlationid: identification.correlationid, causationid: recorded.id, releasableto: `${stack.police.id},${stack.taskForce}` });
    const sighting = (await stack.police.log()).find((e) => e.type === 'intel.police.suspect-sighted')!;
    expect(sighting).toMatchObject({ causationid: alert.id, correlationid: identification.correlationid });
  });

  it('a name in another order and transliteration with the same birth date alerts; with another birth date it does not', async () => {
    const { suspectId } = await identify({ name: 'Muhammad Hassan bin Yusof', birthDate: '1979-02-14', nationality: 'MY', passports: [{ number: 'K1111111', country: 'MY' }] }, 'operator');
    await watchlisted(suspectId);

    const sameDay = await cross({ name: 'Yusof Mohamad Hasan', birthDate: '1979-02-14', nationality: 'MY', passport: { number: 'H9999999', country: 'MY' } }).expect(201);
    expect(sameDay.body.result.alerts).toHaveLength(1);
    expect(sameDay.body.result.alerts[0].match).toMatchObject({ reason: 'name-and-birth-date' });
    expect(sameDay.body.result.alerts[0].match.score).toBeLessThan(1);
    // The explanation quotes personal data, so the command's stored result leaves it out; the alert has it.
    expect(sameDay.body.result.alerts[0].match.explanation).toBeUndefined();
    const alert = await waitFor('the alert in the read model', async () => {
      const response = await stack.immigration.http().get(`/alerts/${sameDay.body.result.alerts[0].alertId}`);
      return response.status === 200 ? response.body : undefined;
    });
    expect(alert.matchExplanation).toMatch(/birth dates agree/);

    const otherDay = await cross({ name: 'Yusof Mohamad Hasan', birthDate: '1979-02-15', nationality: 'MY', passport: { number: 'H9999999', country: 'MY' } }).expect(201);
    expect(otherDay.body.result.alerts).toEqual([]);
    const alerts = await stack.immigration.http().get('/alerts').expect(200);
    expect(alerts.body.filter((a: { crossingId: string }) => a.crossingId === otherDay.body.result.crossingId)).toEqual([]);
  });

  it('a dismissed alert withdraws the sighting; a cleared suspect is lifted from the watchlist and raises no alert', async () => {
    const { suspectId } = await identify({ name: 'Lim Wei Jie', birthDate: '1990-06-30', nationality: 'MY', passports: [{ number: 'A7654321', country: 'MY' }] }, 'sponsor');
    const entry = await watchlisted(suspectId);
    const traveller = { name: 'Lim Wei Jie', birthDate: '1990-06-30', nationality: 'MY', passport: { number: 'A7654321', country: 'MY' } };
    const { body } = await cross(traveller, 'inbound', 'Bukit Kayu Hitam').expect(201);
    const alertId = body.result.alerts[0].alertId;
    await waitFor('police to record the sighting', async () => (await stack.police.http().get(`/suspects/${suspectId}`)).body.sightings === 1);

    await stack.immigration.http().post(`/alerts/${alertId}/dismiss`).send({ commandId: uuidv7(), reason: 'namesake, different face' }).expect(201);
    const withdrawn = await waitFor('police to withdraw the sighting', async () => {
      const res = await stack.police.http().get(`/suspects/${suspectId}`);
      return res.body.sightings === 0 ? res.body : undefined;
    });
    expect(withdrawn.lastSeenCheckpoint).toBeNull();
    const twice = await stack.immigration.http().post(`/alerts/${alertId}/dismiss`).send({ commandId: uuidv7(), reason: 'again' }).expect(422);
    expect(twice.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(twice.body).toMatchObject({ type: 'urn:interlink:problem:alert-already-decided', detail: 'this alert was already dismissed' });

    await stack.police.http().post(`/suspects/${suspectId}/clear`).send({ commandId: uuidv7(), clearedOn: '2023-12-01', reason: 'mistaken identity' }).expect(201);
    await waitFor('the entry lifted', async () => (await stack.immigration.http().get(`/watchlist/${entry.entryId}`)).body.status === 'lifted');
    const after = await cross(traveller, 'outbound').expect(201);
    expect(after.body.result.alerts).toEqual([]);
  });

  it('a retried command creates one event and returns the same result; bad input is refused and changes nothing', async () => {
    const body = { commandId: uuidv7(), person: { name: 'Chen Jia Hao', birthDate: '1992-01-05', nationality: 'CN' }, role: 'operator' };
    const first = await stack.police.http().post('/suspects').send(body).expect(201);
    const retry = await stack.police.http().post('/suspects').send(body).expect(201);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    const identified = (e: EventEnvelope) => e.type === 'intel.police.suspect-identified' && (e.data as { suspectId: string }).suspectId === first.body.result.suspectId;
    const log = await waitFor('the identification in the log', async () => {
      const events = await stack.police.log();
      return events.some(identified) ? events : undefined;
    });
    expect(log.filter(identified)).toHaveLength(1);

    const before = (await stack.police.log()).length;
    const bad = await stack.police.http().post('/suspects').send({ ...body, commandId: uuidv7(), role: 'mastermind', person: { name: 'x', birthDate: '1992-02-30' }, admin: true }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining(['property admin should not exist', 'person.birthDate must be a real calendar date (YYYY-MM-DD)', expect.stringMatching(/^role must be one of/)]),
    );
    const malformed = await stack.police.http().post('/suspects').set('content-type', 'application/json').send('{"commandId":').expect(400);
    expect(malformed.body).toMatchObject({ type: 'urn:interlink:problem:malformed-json' });
    const huge = await stack.police.http().post('/suspects').send({ ...body, commandId: uuidv7(), person: { name: 'x'.repeat(2_000_000) } }).expect(413);
    expect(huge.body).toMatchObject({ type: 'urn:interlink:problem:body-too-large' });
    const reused = await stack.police.http().post(`/suspects/${first.body.result.suspectId}/arrest`).send({ commandId: body.commandId, arrestedOn: '2023-10-20', place: 'KLIA', country: 'MY' }).expect(409);
    expect(reused.body.detail).toMatch(/already used for "identify-suspect"/);
    const refused = await stack.police.http().post(`/suspects/${first.body.result.suspectId}/convict`).send({ commandId: uuidv7(), convictedOn: '2024-01-01', sentence: '5 years' }).expect(422);
    expect(refused.body).toMatchObject({ type: 'urn:interlink:problem:suspect-not-charged', detail: 'only a charged suspect can be convicted' });
    expect((await stack.police.log()).length).toBe(before);
  });

  it('rebuilds the police suspects read model from the log, through TypeORM, to what was built live', async () => {
    // The suspects of the tests before, once the read model has caught up with them.
    const before = await waitFor('the suspects in the read model', async () => {
      const { body } = await stack.police.http().get('/suspects').expect(200);
      return body.length >= 4 ? body : undefined;
    });
    const rebuilt = await stack.police.http().post('/admin/projections/suspects/rebuild').expect(200);
    expect(rebuilt.body.replayed).toBeGreaterThanOrEqual(before.length);
    expect((await stack.police.http().get('/suspects').expect(200)).body).toEqual(before);
    await stack.police.http().post('/admin/projections/nothing/rebuild').expect(404);
  });

  it('a marking change that takes back immigration\'s access makes it delete the entry, and later events no longer reach it', async () => {
    const { suspectId } = await identify({ name: 'Ong Boon Hua', birthDate: '1968-10-10', nationality: 'MY', passports: [{ number: 'A4444444', country: 'MY' }] }, 'sponsor');
    const entry = await watchlisted(suspectId);
    await stack.police.http().post(`/suspects/${suspectId}/marking`).send({ commandId: uuidv7(), classification: 'AMBER', releasableTo: ['foreign-ministry'], reason: 'source protection' }).expect(201);
    await waitFor('immigration to delete the entry', async () => (await stack.immigration.http().get(`/watchlist/${entry.entryId}`)).status === 404);
    const withdrawn = (await stack.immigration.log()).find((e) => e.type === 'intel.immigration.watchlist-entry-withdrawn');
    expect(withdrawn).toMatchObject({ data: { entryId: entry.entryId, reason: "police withdrew immigration's access: source protection" } });

    const arrest = await stack.police.http().post(`/suspects/${suspectId}/arrest`).send({ commandId: uuidv7(), arrestedOn: '2023-12-01', place: 'Johor Bahru', country: 'MY' }).expect(201);
    // Readable once the transactions before it (of any database on the server) have ended.
    const arrested = await waitFor('the arrest in the log', async () => (await stack.police.log()).find((e) => e.id === arrest.body.result.events[0].id));
    expect(arrested.releasableto).toBe(stack.police.config.partners['foreign-ministry']);
    const crossing = await cross({ name: 'Ong Boon Hua', birthDate: '1968-10-10', nationality: 'MY', passport: { number: 'A4444444', country: 'MY' } }).expect(201);
    expect(crossing.body.result.alerts).toEqual([]);
  });

  it('commands and partners\' events on one suspect at the same moment take turns: none refused, none lost', async () => {
    const { suspectId } = await identify({ ...recruiter, passports: [{ number: 'A 7700 1234', country: 'MY' }] }, 'operator');
    await watchlisted(suspectId);
    const roles = ['recruiter', 'money-mule', 'ringleader', 'operator', 'recruiter', 'money-mule'];
    const traveller = { name: recruiter.name, birthDate: recruiter.birthDate, nationality: 'MY', passport: { number: 'A77001234', country: 'MY' } };
    // Officers change the role while crossings raise alerts that police record on the same stream.
    const responses = await Promise.all([
      ...roles.map((role, i) => stack.police.http().post(`/suspects/${suspectId}/role`).send({ commandId: uuidv7(), role, reason: `interview ${i + 1}` })),
      ...[1, 2, 3].map(() => cross(traveller)),
    ]);
    expect(responses.map((r) => r.status)).toEqual([...roles.map(() => 201), 201, 201, 201]);
    await waitFor('the three sightings on the suspect', async () => {
      const stream = await stack.police.store.readStream(`suspect-${suspectId}`);
      return stream.filter((e) => e.type === 'intel.police.suspect-sighted').length === 3;
    });
    const stream = await stack.police.store.readStream(`suspect-${suspectId}`);
    expect(stream.map((e) => e.streamversion)).toEqual(stream.map((_e, i) => i + 1));
  });
});
