import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { waitFor } from '@interlink/testing';
import { summariseHistory } from '../../services/foreign-ministry/src/reports/summary';
import { Stack, startStack } from './stack';

/**
 * The victims' path across all three agencies: reported to the ministry, rescued by police,
 * reconciled, brought home through a checkpoint; and a "victim" who turns out to be an operator.
 */
describe('victim cases across police, immigration and the foreign ministry (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const aisyah = { name: 'Siti Aisyah binti Abdullah', birthDate: '1996-03-08', nationality: 'MY' };
  const ravi = { name: 'Ravi a/l Subramaniam', birthDate: '1994-07-02', nationality: 'MY' };
  const danial = { name: 'Muhammad Danial bin Zulkifli', birthDate: '1997-04-18', nationality: 'MY' };

  const report = (person: object, reportedBy: string, lastKnownCountry: string) =>
    stack.ministry.http().post('/cases').send({ commandId: uuidv7(), person, reportedBy, lastKnownCountry, reportedOn: '2023-08-02' }).expect(201);
  const caseView = (caseId: string) => stack.ministry.http().get(`/cases/${caseId}`).expect(200).then((r) => r.body);

  it('reconciles a police rescue with reports, brings a victim home through KLIA, and reclassifies an operator; the counts equal the raw history', async () => {
    const aisyahCase = (await report({ name: 'Abdullah Siti Aisyah', birthDate: aisyah.birthDate, nationality: 'MY' }, 'relative', 'PE')).body.result.caseId;
    const raviCase = (await report({ name: 'Ravi Subramaniam', birthDate: ravi.birthDate, nationality: 'MY' }, 'mp-office', 'PE')).body.result.caseId;
    const danialCase = (await report(danial, 'relative', 'KH')).body.result.caseId;

    // Police raid and rescue three people: two were reported (under other spellings), one was not.
    const raid = await stack.police.http().post('/raids').send({ commandId: uuidv7(), place: 'house in La Molina', city: 'Lima', country: 'PE', conductedOn: '2023-10-17', partnerAgency: 'Policía Nacional del Perú' }).expect(201);
    const unreported = { name: 'Tan Kah Seng', birthDate: '1993-01-30', nationality: 'MY', passports: [{ number: 'A31000005', country: 'MY' }] };
    await stack.police.http().post(`/raids/${raid.body.result.raidId}/rescues`).send({
      commandId: uuidv7(),
      place: 'house in La Molina',
      country: 'PE',
      rescuedOn: '2023-10-17',
      persons: [
        { ...aisyah, passports: [{ number: 'A31015838', country: 'MY' }] },
        { ...ravi, name: 'Ravi A/L Subramaniam' },
        unreported,
      ],
    }).expect(201);

    await waitFor('both reports reconciled with the rescue', async () => (await caseView(aisyahCase)).rescuedOn && (await caseView(raviCase)).rescuedOn);
    expect(await caseView(aisyahCase)).toMatchObject({ status: 'rescued', rescuedOn: '2023-10-17', country: 'PE' });
    const opened = await waitFor('a case for the person nobody reported', async () => {
      const cases = (await stack.ministry.http().get('/cases').expect(200)).body as { name: string; reportedBy: string; status: string }[];
      return cases.find((c) => c.name === unreported.name);
    });
    expect(opened).toMatchObject({ reportedBy: 'police', status: 'rescued' });
    expect((await caseView(danialCase)).status).toBe('reported');

    // Bring Siti Aisyah home: the ministry arranges it, immigration expects her, KLIA records her arrival.
    await stack.ministry.http().post(`/cases/${aisyahCase}/repatriation`).send({ commandId: uuidv7(), expectedOn: '2023-10-24', checkpoint: 'KLIA' }).expect(201);
    await waitFor('immigration to expect the return', async () => ((await stack.immigration.http().get('/returns')).body as { caseRef: { id: string } }[]).some((r) => r.caseRef.id === aisyahCase));
    const arrival = await stack.immigration.http().post('/crossings').send({
      commandId: uuidv7(),
      traveller: { ...aisyah, passport: { number: 'A31015838', country: 'MY' } },
      direction: 'inbound',
      checkpoint: 'KLIA',
      crossedAt: '2023-10-24T06:40:00Z',
    }).expect(201);
    expect(arrival.body.result.victimReturn).toMatchObject({ case: { id: aisyahCase }, match: { reason: 'name-and-birth-date' } });
    await waitFor('the ministry to record the return', async () => (await caseView(aisyahCase)).status === 'repatriated');
    expect(await caseView(aisyahCase)).toMatchObject({ returnedOn: '2023-10-24' });

    // Police find that Ravi worked the phones: his case is flagged; the ministry decides he was an operator.
    await stack.police.http().post('/suspects').send({ commandId: uuidv7(), person: { ...ravi, name: 'Subramaniam Ravi' }, role: 'operator' }).expect(201);
    await waitFor('the case flagged for review', async () => (await caseView(raviCase)).underReview === true);
    await stack.ministry.http().post(`/cases/${raviCase}/reclassify`).send({ commandId: uuidv7(), outcome: 'suspect', note: 'made scripted calls impersonating bank officers' }).expect(201);
    await waitFor('the reclassification in the read model', async () => (await caseView(raviCase)).reclassifiedAs === 'suspect');

    const summary = (await stack.ministry.http().get('/reports/summary').expect(200)).body;
    expect(summary).toMatchObject({ rescuedAndReturned: 1, stillTracked: 2, total: 3 });
    expect(summary.byCountry).toMatchObject({ PE: { rescuedAndReturned: 1, stillTracked: 1, total: 2 }, KH: { rescuedAndReturned: 0, stillTracked: 1, total: 1 } });

    // The same figures, counted directly over the ministry's raw event history.
    const history = await stack.ministry.log();
    expect(summariseHistory(history)).toEqual(summary);
    const last = (type: string) => {
      const latest = new Map<string, EventEnvelope>();
      for (const e of history) if (e.type === type) latest.set(e.subject, e);
      return new Set(latest.keys());
    };
    const reported = last('intel.foreign-ministry.victim-reported');
    const returned = last('intel.foreign-ministry.victim-repatriated');
    const suspects = new Set(history.filter((e) => e.type === 'intel.foreign-ministry.case-reclassified' && (e.data as { outcome: string }).outcome === 'suspect').map((e) => e.subject));
    const victims = [...reported].filter((s) => !suspects.has(s));
    expect(victims.filter((s) => returned.has(s))).toHaveLength(summary.rescuedAndReturned);
    expect(victims.filter((s) => !returned.has(s))).toHaveLength(summary.stillTracked);
  });

  it('tells every agency that holds a person when police change their role', async () => {
    const identified = await stack.police.http().post('/suspects').send({ commandId: uuidv7(), person: { name: 'Lee Chong Ming', birthDate: '1981-09-09', nationality: 'MY' }, role: 'recruiter' }).expect(201);
    const suspectId = identified.body.result.suspectId;
    const entry = await waitFor('the watchlist entry', async () => ((await stack.immigration.http().get('/watchlist')).body as { suspect?: { id: string }; entryId: string }[]).find((e) => e.suspect?.id === suspectId));
    await stack.police.http().post(`/suspects/${suspectId}/role`).send({ commandId: uuidv7(), role: 'ringleader', reason: 'phone records: he ran the compound' }).expect(201);
    await waitFor('immigration to learn the new role', async () => (await stack.immigration.http().get(`/watchlist/${entry.entryId}`)).body.role === 'ringleader');
    expect((await stack.police.http().get(`/suspects/${suspectId}`)).body.role).toBe('ringleader');
  });

  it('parks nothing along the way', async () => {
    for (const agency of [stack.police, stack.immigration, stack.ministry]) {
      expect((await agency.http().get('/admin/parked').expect(200)).body).toEqual([]);
    }
  });
});
