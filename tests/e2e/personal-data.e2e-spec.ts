import { DataSource } from 'typeorm';
import { EventEnvelope, agencyOfSource, keyTopicFor, topicFor, uuidv7 } from '@interlink/contracts';
import { PartnerTrust } from '@interlink/agency-kit';
import { readTopics, testKafka, waitFor } from '@interlink/testing';
import { Stack, startStack } from './stack';

/** What identifies the suspect and the victim in this test: none of it may be readable where it should not be. */
const SUSPECT = { name: 'Chen Wei Ming', birthDate: '1979-09-14', nationality: 'MY', passports: [{ number: 'E77712345', country: 'MY' }] };
const VICTIM = { name: 'Nur Aini binti Hassan', birthDate: '1999-04-21', nationality: 'MY', passports: [{ number: 'A40011223', country: 'MY' }] };
const SUSPECT_SECRETS = ['Chen Wei Ming', 'E77712345', '1979-09-14'];
const ALL_SECRETS = [...SUSPECT_SECRETS, 'Nur Aini', 'A40011223', '1999-04-21'];

/** Every row of every table of a database, as text: where personal data could be left behind. */
async function everyRow(dataSource: DataSource): Promise<string> {
  const tables: { name: string }[] = await dataSource.query(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname IN ('public', 'interlink', 'audit')`,
  );
  const texts: string[] = [];
  for (const { name } of tables) {
    for (const row of await dataSource.query(`SELECT t::text AS text FROM ${name} t`)) texts.push(`${name}: ${row.text}`);
  }
  return texts.join('\n');
}

const containing = (text: string, secrets: string[]) => secrets.filter((secret) => text.includes(secret));

/**
 * Personal data is shared with those entitled to it and no one else: partners and auditors get it
 * sealed under a key per person record, the task force gets pseudonyms, and erasing a record
 * destroys its key, after which no readable copy is left anywhere while the chain still verifies.
 */
describe('personal data: redaction for the task force, crypto-shredding on erasure (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;
  let suspectId: string;
  let crossingId: string;
  let caseId: string;
  const kafka = testKafka();
  const agencies = () => [stack.police, stack.immigration, stack.ministry];

  beforeAll(async () => {
    stack = await startStack(['police', 'immigration', 'foreign-ministry'], { audit: true, env: { KEY_TOPIC_COMPACTION_LAG_MS: '1000' } });
    suspectId = (await stack.police.http().post('/suspects').send({ commandId: uuidv7(), person: SUSPECT, role: 'recruiter' }).expect(201)).body.result.suspectId;
    await waitFor('the suspect on the watchlist', async () => ((await stack.immigration.http().get('/watchlist')).body as unknown[]).length === 1);
    const traveller = { name: SUSPECT.name, birthDate: SUSPECT.birthDate, nationality: 'MY', passport: SUSPECT.passports[0] };
    crossingId = (await stack.immigration.http().post('/crossings').send({ commandId: uuidv7(), traveller, direction: 'outbound', checkpoint: 'KLIA', crossedAt: '2026-10-02T22:10:00Z' }).expect(201)).body.result.crossingId;
    caseId = (await stack.ministry.http().post('/cases').send({ commandId: uuidv7(), person: VICTIM, reportedBy: 'relative', lastKnownCountry: 'KH', reportedOn: '2026-09-30' }).expect(201)).body.result.caseId;
    await waitFor('police to hear of the sighting', async () => (await stack.police.http().get(`/suspects/${suspectId}`)).body.sightings === 1);
  });
  afterAll(() => stack?.stop());

  const taskForceTopics = () => agencies().map((a) => topicFor(a.id, stack.taskForce));

  it('shares personal data with entitled partners, sealed: no topic carries it readable', async () => {
    const [entry] = (await stack.immigration.http().get('/watchlist').expect(200)).body;
    expect(entry).toMatchObject({ name: SUSPECT.name, personalData: 'disclosed' });
    const topics = agencies().flatMap((from) => [stack.police, stack.immigration, stack.ministry, stack.audit].filter((to) => to !== from).map((to) => topicFor(from.id, to.id)));
    const records = await readTopics(kafka, [...topics, ...taskForceTopics()], 12, 8000);
    expect(records.length).toBeGreaterThanOrEqual(12);
    expect(containing(records.map((r) => r.value).join('\n'), ALL_SECRETS)).toEqual([]);
    // ...and what is in the stores is sealed too: the plain text lives only in the read models.
    for (const agency of agencies()) {
      const [{ events }] = await agency.dataSource.query(`SELECT string_agg(envelope::text, ' ') AS events FROM interlink.events`);
      expect(containing(events, ALL_SECRETS)).toEqual([]);
    }
  });

  it('gives the task force pseudonymous persons, no ciphertext and no keys, and each event still verifies', async () => {
    const released = ['suspect-identified', 'suspect-sighted', 'border-alert-raised', 'victim-reported'];
    const records = await waitFor('the task force to receive what police, immigration and the ministry released to it', async () => {
      const read = await readTopics(kafka, taskForceTopics(), 1_000_000, 1500);
      const types = new Set(read.map((r) => (JSON.parse(r.value!) as EventEnvelope).type.split('.').pop()));
      return released.every((type) => types.has(type)) ? read : undefined;
    });
    const events = records.map((r) => JSON.parse(r.value!) as EventEnvelope<Record<string, unknown>>);
    const byType = new Map(events.map((e) => [e.type.split('.').pop(), e]));
    expect(byType.get('suspect-sighted')!.data.match).toEqual({ reason: 'passport', score: 1, withheld: 'redacted', ref: suspectId, digest: expect.any(String) });
    expect(byType.get('suspect-identified')!.data.person).toEqual({ nationality: 'MY', withheld: 'redacted', ref: suspectId, digest: expect.stringMatching(/^sha256:/) });
    expect(byType.get('border-alert-raised')!.data.traveller).toMatchObject({ withheld: 'redacted', ref: crossingId });
    expect(byType.get('victim-reported')!.data.person).toMatchObject({ withheld: 'redacted', ref: caseId });
    const text = records.map((r) => r.value).join('\n');
    expect(containing(text, ALL_SECRETS)).toEqual([]);
    expect(text).not.toContain('"sealed"');

    const trust = new PartnerTrust(stack.keysDir);
    for (const event of events) expect(trust.verify(event, agencyOfSource(event.source)!)).toBeUndefined();
    // A redacted copy altered on the way is refused like any other.
    const suspect = byType.get('suspect-identified')!;
    expect(trust.verify({ ...suspect, data: { ...suspect.data, role: 'ringleader' } }, stack.police.id)).toMatch(/payload/);

    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    expect(existing.filter((t) => t.startsWith('keys.') && t.endsWith(`.${stack.taskForce}`))).toEqual([]);
    expect(existing).toContain(keyTopicFor(stack.police.id, stack.immigration.id));
  });

  it('erases a person: no readable copy in any read model, archive, inbox or topic, and every log still verifies', async () => {
    const [{ key }] = await stack.police.dataSource.query(`SELECT encode(key, 'base64') AS key FROM interlink.data_keys WHERE ref = $1`, [suspectId]);
    expect(key).toHaveLength(44);
    const supervisor = stack.token(stack.police.id, ['supervisor'], 'records-officer');
    const erase = (agency: Stack['police'], ref: string, token?: string) =>
      agency.http(token).post(`/personal-data/${ref}/erasure`).send({ commandId: uuidv7(), reason: 'PDPA s.10 request 2026-114' });

    // Only a supervisor erases, and only records the agency holds.
    expect((await erase(stack.police, suspectId, stack.token(stack.police.id, ['officer']))).status).toBe(403);
    expect((await erase(stack.police, uuidv7(), supervisor)).status).toBe(404);
    const erased = await erase(stack.police, suspectId, supervisor).expect(200);
    expect(erased.body.result.events.map((e: { type: string }) => e.type)).toEqual(['intel.police.personal-data-erased']);
    expect((await erase(stack.police, suspectId, supervisor)).body).toMatchObject({ status: 422, type: 'urn:interlink:problem:already-erased' });
    // The traveller's crossing is immigration's own record of the same person.
    await erase(stack.immigration, crossingId).expect(200);

    const suspect = await waitFor('police read model erased', async () => {
      const body = (await stack.police.http().get(`/suspects/${suspectId}`)).body;
      return body.personalData === 'erased' ? body : undefined;
    });
    expect(suspect).toMatchObject({ name: null, passports: [], birthDate: null, nationality: 'MY', role: 'recruiter', sightings: 1 });
    await waitFor('immigration to erase its watchlist copy', async () => (await stack.immigration.http().get('/watchlist')).body[0]?.personalData === 'erased');
    await waitFor('every holder to destroy its copy of the key', async () => {
      for (const holder of [stack.immigration, stack.ministry, stack.audit]) {
        const rows = await holder.dataSource.query(`SELECT key FROM interlink.data_keys WHERE owner = $1 AND ref = $2`, [stack.police.id, suspectId]);
        if (rows.length > 0 && rows[0].key !== null) return false;
      }
      return true;
    });

    // Any later delivery rolls the keys topic's segment, and the log cleaner compacts the key away.
    await new Promise((r) => setTimeout(r, 1100));
    await stack.police.http().post('/suspects').send({ commandId: uuidv7(), person: { name: 'Later Suspect', nationality: 'TH' }, role: 'operator' }).expect(201);
    const keyTopics = [stack.immigration, stack.ministry, stack.audit].map((to) => keyTopicFor(stack.police.id, to.id));
    await waitFor(
      'the erased key compacted out of the keys topics',
      async () => {
        const records = await readTopics(kafka, keyTopics, 1_000_000, 1500);
        return records.length > 0 && !records.some((r) => r.value?.includes(key));
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );

    for (const holder of [...agencies(), stack.audit]) {
      await waitFor(`${holder.id} to hold nothing readable of the erased person`, async () => containing(await everyRow(holder.dataSource), [...SUSPECT_SECRETS, key]).length === 0);
    }
    // The victim's case was not erased: the ministry still reads it, so the check above is not vacuous.
    expect(containing(await everyRow(stack.ministry.dataSource), ['Nur Aini binti Hassan'])).toEqual(['Nur Aini binti Hassan']);

    for (const agency of agencies()) {
      const [{ sequence }] = await agency.dataSource.query(`SELECT count(*)::int AS sequence FROM interlink.events`);
      await waitFor(`the archive to hold ${agency.id}'s ${sequence} events`, async () => {
        const [{ last }] = await stack.audit.dataSource.query(`SELECT max(sequence)::int AS last FROM audit.archive WHERE agency = $1`, [agency.id]);
        return last === sequence;
      });
      expect((await stack.audit.http().get(`/agencies/${agency.id}/verification`).expect(200)).body).toMatchObject({ ok: true });
      expect((await stack.audit.http().get(`/agencies/${agency.id}/verification?source=kafka`).expect(200)).body).toMatchObject({ ok: true });
    }
  });

  it('replays, exports and rebuilds the erased person as erased', async () => {
    const replay = (await stack.audit.http().get(`/agencies/${stack.police.id}/read-models`).expect(200)).body;
    const replayed = JSON.stringify(replay);
    expect(replayed).toContain(suspectId);
    expect(containing(replayed, SUSPECT_SECRETS)).toEqual([]);
    expect(replayed).toContain('Later Suspect');

    const jsonl = (await stack.audit.http().get(`/agencies/${stack.police.id}/export`).expect(200)).text;
    expect(containing(jsonl, SUSPECT_SECRETS)).toEqual([]);
    expect(jsonl).toContain('"withheld":"erased"');

    await stack.police.http().post('/admin/projections/suspects/rebuild').expect(200);
    expect((await stack.police.http().get(`/suspects/${suspectId}`).expect(200)).body).toMatchObject({ personalData: 'erased', name: null, sightings: 1 });
  });
});
