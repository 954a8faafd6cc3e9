import path from 'node:path';
import { Partitioners } from 'kafkajs';
import { topicFor, uuidv7 } from '@interlink/contracts';
import { TopicManager } from '@interlink/messaging';
import { randomSuffix, readTopics, runTs, testKafka, waitFor } from '@interlink/testing';
import { AuditService } from '../../services/audit/src/audit.service';
import { stixProblems } from '../../services/audit/test/stix-validator';
import { Stack, startStack } from './stack';

const cli = path.join(__dirname, '../../services/audit/src/cli.ts');

/**
 * Auditors trust the record without trusting any database: every agency's log arrives signed
 * and chained; any edit, drop, insertion, reordering or forged signature, in the archive or in
 * Kafka itself, is found and located; read models replay as of any moment with each agency's code.
 */
describe('audit: signed logs, verification, replay, history, export (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;
  let audit: AuditService;
  let capturedWatchlist: Record<string, unknown>[];
  let capturedAt: Date;
  const passport = 'A 5550 1234';

  beforeAll(async () => {
    stack = await startStack(['police', 'immigration', 'foreign-ministry'], { audit: true });
    audit = stack.audit.app.get(AuditService);

    const identify = (name: string, birthDate: string, number: string, classification?: string) =>
      stack.police.http().post('/suspects').send({ commandId: uuidv7(), person: { name, birthDate, nationality: 'MY', passports: [{ number, country: 'MY' }] }, role: 'recruiter', ...(classification ? { classification } : {}) }).expect(201);
    const first = await identify('Tan Ah Kow', '1980-01-01', passport);
    await identify('Undercover Informant', '1985-05-05', 'A9999000', 'RED');
    await waitFor('the first suspect watchlisted', async () => ((await stack.immigration.http().get('/watchlist')).body as unknown[]).length === 1);
    capturedWatchlist = (await stack.immigration.http().get('/watchlist').expect(200)).body;
    capturedAt = new Date();
    await new Promise((r) => setTimeout(r, 50));

    await identify('Lim Kok Wai', '1975-03-03', 'A7770001');
    await waitFor('the second suspect watchlisted', async () => ((await stack.immigration.http().get('/watchlist')).body as unknown[]).length === 2);
    await stack.immigration.http().post('/crossings').send({ commandId: uuidv7(), traveller: { name: 'Tan Ah Kow', birthDate: '1980-01-01', nationality: 'MY', passport: { number: 'A55501234', country: 'MY' } }, direction: 'outbound', checkpoint: 'KLIA', crossedAt: '2023-11-02T22:10:00Z' }).expect(201);
    await stack.ministry.http().post('/cases').send({ commandId: uuidv7(), person: { name: 'Siti Aisyah binti Abdullah', birthDate: '1996-03-08', nationality: 'MY' }, reportedBy: 'relative', lastKnownCountry: 'PE', reportedOn: '2023-08-02' }).expect(201);
    await waitFor('police to record the sighting', async () => (await stack.police.http().get(`/suspects/${first.body.result.suspectId}`)).body.sightings === 1);

    // Every event each agency has stored, access-log records of the reads above included, archived.
    for (const agency of [stack.police, stack.immigration, stack.ministry]) {
      const [{ sequence }] = await agency.dataSource.query(`SELECT count(*)::int AS sequence FROM interlink.events`);
      await waitFor(`the archive to hold ${agency.id}'s ${sequence} events`, async () => {
        const [{ last }] = await stack.audit.dataSource.query(`SELECT max(sequence)::int AS last FROM audit.archive WHERE agency = $1`, [agency.id]);
        return last === sequence;
      });
    }
  });
  afterAll(() => stack?.stop());

  it('verifies every agency\'s log from the archive and from Kafka alone', async () => {
    for (const agency of [stack.police, stack.immigration, stack.ministry]) {
      const fromArchive = (await stack.audit.http().get(`/agencies/${agency.id}/verification`).expect(200)).body;
      expect(fromArchive).toMatchObject({ ok: true, firstSequence: 1 });
      const fromKafka = (await stack.audit.http().get(`/agencies/${agency.id}/verification?source=kafka`).expect(200)).body;
      expect(fromKafka).toEqual(fromArchive);
    }
    const police = (await stack.audit.http().get(`/agencies/${stack.police.id}/verification`)).body;
    const [{ sequence }] = await stack.police.dataSource.query(`SELECT sequence::int FROM interlink.relay_checkpoints`);
    expect(police).toMatchObject({ verified: sequence, lastSequence: sequence });
  });

  it('never lets a RED event leave police: partners get nothing, auditors a stub without its payload that still verifies', async () => {
    const toImmigration = await readTopics(testKafka(), [topicFor(stack.police.id, stack.immigration.id)], 2, 5000);
    expect(toImmigration.map((r) => r.value).join()).not.toContain('Undercover Informant');
    const [stub] = await stack.audit.dataSource.query(`SELECT envelope FROM audit.archive WHERE agency = $1 AND envelope->>'classification' = 'RED'`, [stack.police.id]);
    expect(stub.envelope).toMatchObject({ datawithheld: 'RED', classification: 'RED' });
    expect(stub.envelope.data).toBeUndefined();
    expect(JSON.stringify(stub.envelope)).not.toContain('Undercover Informant');
  });

  describe('finds and locates tampering in the archive', () => {
    const at = async (sequence: number) =>
      (await stack.audit.dataSource.query(`SELECT kafka_offset::text, convert_from(raw, 'UTF8') AS raw FROM audit.archive WHERE agency = $1 AND sequence = $2`, [stack.police.id, sequence]))[0] as { kafka_offset: string; raw: string };
    const setRaw = (offset: string, raw: string) =>
      stack.audit.dataSource.query(`UPDATE audit.archive SET raw = convert_to($3, 'UTF8') WHERE agency = $1 AND kafka_offset = $2`, [stack.police.id, offset, raw]);
    const verify = () => audit.verifyArchive(stack.police.id);

    it('an edited payload', async () => {
      const row = await at(3);
      expect(row.raw).toContain('"role":"recruiter"');
      await setRaw(row.kafka_offset, row.raw.replace('"role":"recruiter"', '"role":"money-mule"'));
      expect((await verify()).problem).toMatchObject({ kind: 'edited', sequence: 3, detail: expect.stringContaining('payload') });
      await setRaw(row.kafka_offset, row.raw);
    });

    it('edited personal data (its ciphertext)', async () => {
      const row = await at(3);
      const e = JSON.parse(row.raw);
      const sealed: string = e.data.person.sealed;
      e.data.person.sealed = sealed.slice(0, 20) + (sealed[20] === 'x' ? 'y' : 'x') + sealed.slice(21);
      await setRaw(row.kafka_offset, JSON.stringify(e));
      expect((await verify()).problem).toMatchObject({ kind: 'edited', sequence: 3, detail: expect.stringContaining('payload') });
      await setRaw(row.kafka_offset, row.raw);
    });

    it('an edited attribute', async () => {
      const row = await at(1);
      const e = JSON.parse(row.raw);
      await setRaw(row.kafka_offset, JSON.stringify({ ...e, actor: `${stack.police.id}/someone-else` }));
      expect((await verify()).problem).toMatchObject({ kind: 'edited', sequence: 1 });
      await setRaw(row.kafka_offset, row.raw);
    });

    it('a missing event', async () => {
      const row = await at(2);
      await stack.audit.dataSource.query(`UPDATE audit.archive SET agency = 'deleted' WHERE agency = $1 AND kafka_offset = $2`, [stack.police.id, row.kafka_offset]);
      expect((await verify()).problem).toMatchObject({ kind: 'missing', sequence: 2, detail: 'sequence 2 is missing' });
      await stack.audit.dataSource.query(`UPDATE audit.archive SET agency = $1 WHERE agency = 'deleted'`, [stack.police.id]);
    });

    it('reordered events', async () => {
      const [two, three] = [await at(2), await at(3)];
      await setRaw(two.kafka_offset, three.raw);
      await setRaw(three.kafka_offset, two.raw);
      expect((await verify()).problem).toMatchObject({ kind: 'reordered', sequence: 2 });
      await setRaw(two.kafka_offset, two.raw);
      await setRaw(three.kafka_offset, three.raw);
    });

    it('an inserted event claiming a sequence already taken', async () => {
      const row = await at(2);
      const forged = { ...JSON.parse(row.raw), id: uuidv7(), data: { forged: true } };
      await stack.audit.dataSource.query(
        `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, sequence) VALUES ('forged', 0, $2, $1, convert_to($3, 'UTF8'), 2)`,
        [stack.police.id, 1_000_000, JSON.stringify(forged)],
      );
      expect((await verify()).problem).toMatchObject({ kind: 'inserted', sequence: 2 });
      await stack.audit.dataSource.query(`DELETE FROM audit.archive WHERE topic = 'forged'`);
    });

    it('a forged signature', async () => {
      const row = await at(3);
      const e = JSON.parse(row.raw);
      const parts = e.signature.split('.');
      parts[5] = Buffer.alloc(64, 7).toString('base64url');
      await setRaw(row.kafka_offset, JSON.stringify({ ...e, signature: parts.join('.') }));
      expect((await verify()).problem).toMatchObject({ kind: 'badly-signed', sequence: 3 });
      await setRaw(row.kafka_offset, row.raw);
      expect((await verify()).ok).toBe(true);
    });
  });

  it('finds and locates tampering in a Kafka copy of the log', async () => {
    const kafka = testKafka();
    const source = topicFor(stack.police.id, stack.audit.id);
    const records = (await readTopics(kafka, [source], 3, 10000)).sort((a, b) => Number(a.offset) - Number(b.offset)).map((r) => r.value!);
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await Promise.all([admin.connect(), producer.connect()]);
    const copy = async (kind: string, values: string[]) => {
      const topic = `tamper.t${randomSuffix()}-${kind}`;
      await new TopicManager(admin, { partitions: 1, replicationFactor: 1 }).ensure([topic]);
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
      // Left for the run's teardown to delete: deleting it now would break the producer's next metadata refresh.
      return audit.verifyKafka(stack.police.id, { topic });
    };
    try {
      expect((await copy('intact', records)).ok).toBe(true);
      expect((await copy('dropped', [records[0], records[2]])).problem).toMatchObject({ kind: 'missing', sequence: 2 });
      expect((await copy('edited', [records[0], records[1].replace('"RED"', '"AMBER"'), records[2]])).problem).toMatchObject({ kind: 'edited', sequence: 2 });
      expect((await copy('reordered', [records[0], records[2], records[1]])).problem).toMatchObject({ kind: 'reordered', sequence: 2 });
      const forged = JSON.stringify({ ...JSON.parse(records[1]), id: uuidv7() });
      expect((await copy('inserted', [records[0], records[1], forged, records[2]])).problem).toMatchObject({ kind: 'inserted', sequence: 2 });
      expect((await copy('duplicated', [records[0], records[1], records[1], records[2]])).ok).toBe(true);
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  });

  it('replays immigration as of a moment to exactly what its live read model showed then', async () => {
    const asOf = capturedAt.toISOString();
    const replay = (await stack.audit.http().get(`/agencies/${stack.immigration.id}/read-models`).query({ asOf }).expect(200)).body;
    const pick = (rows: Record<string, unknown>[]) => rows.map((r) => ({ entryId: r.entryId ?? r.entry_id, name: r.name, status: r.status, role: r.role }));
    expect(pick(replay.result.watchlist)).toEqual(pick(capturedWatchlist));
    const now = (await stack.audit.http().get(`/agencies/${stack.immigration.id}/read-models`).expect(200)).body;
    expect(now.result.watchlist).toHaveLength(2);
    expect(now.result.alerts).toHaveLength(1);
  });

  it('answers what immigration knew about a passport at a moment', async () => {
    const before = (await stack.audit.http().get(`/agencies/${stack.immigration.id}/knowledge`).query({ term: 'A55501234', asOf: capturedAt.toISOString() }).expect(200)).body;
    expect(Object.keys(before.result)).toEqual(['watchlist']);
    const after = (await stack.audit.http().get(`/agencies/${stack.immigration.id}/knowledge`).query({ term: passport }).expect(200)).body;
    expect(Object.keys(after.result).sort()).toEqual(['alerts', 'crossings', 'watchlist']);
  });

  it('traces one person across agencies in order, with causation links', async () => {
    const history = (await stack.audit.http().get('/history').query({ term: 'A55501234' }).expect(200)).body as { agency: string; type: string; causedBy: { type: string } | null }[];
    const types = history.map((h) => h.type);
    expect(types).toEqual(expect.arrayContaining(['intel.police.suspect-identified', 'intel.immigration.watchlist-entry-added', 'intel.immigration.border-alert-raised', 'intel.police.suspect-sighted']));
    expect(types.indexOf('intel.police.suspect-identified')).toBeLessThan(types.indexOf('intel.immigration.watchlist-entry-added'));
    expect(history.find((h) => h.type === 'intel.immigration.watchlist-entry-added')!.causedBy).toMatchObject({ type: 'intel.police.suspect-identified' });
    expect(history.find((h) => h.type === 'intel.police.suspect-sighted')!.causedBy).toMatchObject({ type: 'intel.immigration.border-alert-raised' });
  });

  it('exports JSON Lines of envelopes and a STIX 2.1 bundle', async () => {
    const jsonl = await stack.audit.http().get(`/agencies/${stack.police.id}/export`).expect(200);
    const lines = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
    // Sequence 2 is the RED event: auditors hold only its stub, which is not exported as an event.
    const verified = (await audit.verifyArchive(stack.police.id)).lastSequence!;
    expect(lines.map((e) => e.sequence)).toEqual(Array.from({ length: verified }, (_, i) => i + 1).filter((n) => n !== 2));
    // Every read of personal data is in the log the auditors receive.
    expect(lines.filter((e) => e.type === 'intel.police.personal-data-read').map((e) => e.data)).toContainEqual(
      expect.objectContaining({ user: 'e2e-user', resource: 'suspects', purpose: 'end-to-end test', records: 1 }),
    );
    const stix = (await stack.audit.http().get(`/agencies/${stack.police.id}/export`).query({ format: 'stix' }).expect(200)).body;
    expect(stix.type).toBe('bundle');
    expect(stix.objects.map((o: { type: string }) => o.type)).toEqual(expect.arrayContaining(['identity', 'threat-actor', 'marking-definition']));
    expect(stixProblems(stix)).toEqual([]);
    // All agencies together: the border alert becomes a sighting of police's threat actor.
    const all = await audit.exportStix([], {});
    expect((all.objects ?? []).filter((o) => o.type === 'sighting')).toHaveLength(1);
    expect(stixProblems(all)).toEqual([]);
  });

  it('refuses a forged event from a partner and parks it with the reason', async () => {
    const kafka = testKafka();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const [genuine] = (await readTopics(kafka, [topicFor(stack.police.id, stack.immigration.id)], 1, 5000)).map((r) => JSON.parse(r.value!));
    const forged = { ...genuine, id: uuidv7(), subject: `suspect-${uuidv7()}`, data: { ...genuine.data, suspectId: uuidv7() } };
    await producer.send({ topic: topicFor(stack.police.id, stack.immigration.id), acks: -1, messages: [{ key: forged.subject, value: JSON.stringify(forged) }] });
    await producer.disconnect();
    const parked = await waitFor('the forged event parked', async () => {
      const list = (await stack.immigration.http().get('/admin/parked')).body as { eventId: string; reason: string }[];
      return list.find((p) => p.eventId === forged.id);
    });
    expect(parked.reason).toMatch(new RegExp(`^not accepted as ${stack.police.id}'s: `));
  });

  it('has a command line that exits 1 naming the first bad position, and 2 on bad arguments', async () => {
    const env = { ...stack.audit.env } as Record<string, string>;
    const good = await runTs(cli, ['verify', '--agency', stack.immigration.id], env);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringContaining('nothing was altered') });
    const [{ kafka_offset }] = await stack.audit.dataSource.query(`SELECT kafka_offset::text FROM audit.archive WHERE agency = $1 AND sequence = 1`, [stack.immigration.id]);
    await stack.audit.dataSource.query(`UPDATE audit.archive SET agency = 'hidden' WHERE agency = $1 AND kafka_offset = $2`, [stack.immigration.id, kafka_offset]);
    const bad = await runTs(cli, ['verify', '--agency', stack.immigration.id], env);
    await stack.audit.dataSource.query(`UPDATE audit.archive SET agency = $1 WHERE agency = 'hidden'`, [stack.immigration.id]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('VERIFICATION FAILED after 0 good events: missing at sequence 1');
    const usage = await runTs(cli, ['verify', '--agency', stack.immigration.id, '--from', 'yesterday'], env);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('--from must be a sequence number from 1, not "yesterday"') });
    const late = await runTs(cli, ['replay', '--agency', stack.immigration.id, '--from', '3'], env);
    expect(late).toMatchObject({ code: 2, stderr: expect.stringContaining('replay always starts at the beginning of the log: give --to N or --as-of, not --from') });
  });

  it('after a key rotation and a restart, old and new events verify and partners accept the new key', async () => {
    const rotate = await runTs(path.join(__dirname, '../../libs/security/src/cli.ts'), ['rotate', '--agency', stack.police.id, '--dir', stack.keysDir]);
    expect(rotate).toMatchObject({ code: 0, stdout: expect.stringContaining('new signing key') });
    const police = await stack.restart('police');
    const { body } = await police.http().post('/suspects').send({ commandId: uuidv7(), person: { name: 'Wong Chee Keong', birthDate: '1970-07-07', nationality: 'MY' }, role: 'sponsor' }).expect(201);
    await waitFor('immigration to accept the event signed with the new key', async () =>
      ((await stack.immigration.http().get('/watchlist')).body as { suspect?: { id: string } }[]).some((e) => e.suspect?.id === body.result.suspectId),
    );
    const [{ sequence }] = await police.dataSource.query(`SELECT sequence::int FROM interlink.relay_checkpoints`);
    await waitFor('the archive to catch up', async () => {
      const [{ last }] = await stack.audit.dataSource.query(`SELECT max(sequence)::int AS last FROM audit.archive WHERE agency = $1`, [police.id]);
      return last === sequence;
    });
    const keys = await stack.audit.dataSource.query(`SELECT DISTINCT envelope->>'keyid' AS keyid FROM audit.archive WHERE agency = $1`, [police.id]);
    expect(keys).toHaveLength(2);
    expect(await audit.verifyArchive(police.id)).toMatchObject({ ok: true, lastSequence: sequence });
  });

  it('asks auditors why they read personal data and keeps who read what and why', async () => {
    const refused = await stack.audit.http(null).get('/history').set('Authorization', `Bearer ${stack.token(stack.audit.id, ['auditor'], 'auditor.lee')}`).query({ term: 'A55501234' }).expect(400);
    expect(refused.body.errors[0]).toMatch(/^header X-Purpose must say why/);
    await stack.audit.http(null).get('/history').set('Authorization', `Bearer ${stack.token(stack.audit.id, ['auditor'], 'auditor.lee')}`).set('X-Purpose', 'inquiry into the KLIA alert').query({ term: 'A55501234' }).expect(200);
    const [last] = await stack.audit.dataSource.query(`SELECT reader, request, purpose FROM audit.access_log ORDER BY id DESC LIMIT 1`);
    expect(last).toEqual({ reader: `${stack.audit.id}/auditor.lee`, request: '/history?term=A55501234', purpose: 'inquiry into the KLIA alert' });
  });
});
