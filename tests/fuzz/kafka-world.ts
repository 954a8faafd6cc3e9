import { randomBytes, randomInt } from 'node:crypto';
import { Admin, IHeaders, Kafka, Partitioners, Producer } from 'kafkajs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { keyTopicFor, topicFor, uuidv7 } from '@interlink/contracts';
import { DEAD_LETTER_MAX_BYTES, PRODUCE_CHUNK_BYTES, chunksOf, consumerLag } from '@interlink/messaging';
import { loadOrCreateDevKey } from '@interlink/security';
import { testKafka, testRunId, waitFor } from '@interlink/testing';
import { ConsoleFixture, startConsole } from '../../services/task-force-console/test/harness';
import { RunningAgency, Stack, startStack } from '../e2e/stack';
import { Hostile, Materialised, ROLES, RawMessage, Role, TargetView, describeHostile, materialise } from './kafka-hostile';

/** Generous: the machine is shared, and every hop crosses Kafka and Postgres. */
const WAIT = { timeoutMs: 90_000, intervalMs: 100 };

interface Target extends TargetView {
  /** The recipient's database. */
  db: DataSource;
  /** Name of the EventConsumer that reads the topic (events only; the archive has none). */
  consumer?: string;
  group: string;
}

/** A hostile message as it went out, where it landed, and what the recipient must make of it. */
export interface Sent extends Materialised {
  hostile: Hostile;
  target: Target;
  topic: string;
  offset: string;
}

/** The genuine streams of one round: forgeries claim them, and the round's second half appends to them. */
interface Round {
  suspect: { id: string; stream: string };
  alert: { id: string; stream: string };
  homecoming: { id: string; stream: string; person: Person };
  flagged: { id: string; person: Person };
  console: { suspect: string; alert: string; case: string };
}

interface Person {
  name: string;
  birthDate: string;
  nationality: string;
  passports?: { number: string; country: string }[];
}

const word = () => Array.from({ length: 7 }, (_, i) => String.fromCharCode((i === 0 ? 65 : 97) + randomInt(26))).join('');
const someone = (passport?: string): Person => ({
  name: `${word()} bin ${word()}`,
  birthDate: `19${randomInt(60, 99)}-0${randomInt(1, 9)}-${randomInt(10, 28)}`,
  nationality: 'MY',
  ...(passport ? { passports: [{ number: passport, country: 'MY' }] } : {}),
});
const passportNumber = () => `A${randomInt(10_000_000, 99_999_999)}`;

/**
 * The three agency services, the auditors and the task-force console over the real broker and
 * Postgres, the genuine traffic that runs through every consumer topic each round, and what is
 * checked after hostile messages were mixed into it.
 */
export class World {
  readonly targets = new Map<string, Target>();
  /** Every offset a hostile message took, per consumer topic: nothing else may be parked. */
  private readonly hostileOffsets = new Set<string>();
  private readonly deadLetters = new Map<string, { value: Buffer | null; headers: IHeaders }>();
  private deadLetterReader?: ReturnType<Kafka['consumer']>;

  private constructor(
    readonly stack: Stack,
    readonly taskForce: ConsoleFixture,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
  ) {}

  static async start(): Promise<World> {
    // Small pools for the agency services: the Postgres server is shared, and this world opens eight databases.
    const stack = await startStack([...ROLES], { audit: true, env: { DB_POOL_SIZE: '5' } });
    const taskForce = await startConsole({ grantPersonalData: true }).catch(async (error) => {
      await stack.stop();
      throw error;
    });
    const kafka = testKafka('interlink-fuzz');
    const world = new World(stack, taskForce, kafka, kafka.admin(), kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false }));
    try {
      await world.admin.connect();
      // A plain producer, as an intruder or a broken client would have: no idempotence, any partition.
      await world.producer.connect();
      // One genuine round first, so that every topic carries real messages to copy, cut and flip.
      await world.play([]);
      await world.describeTargets();
      await world.readDeadLetters();
      return world;
    } catch (error) {
      await world.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.deadLetterReader?.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
    await this.taskForce.stop();
    await this.stack.stop();
  }

  private agency(role: Role): RunningAgency {
    return role === 'foreign-ministry' ? this.stack.ministry : this.stack[role];
  }

  private get consoleDb(): DataSource {
    return this.taskForce.app.get(DataSource);
  }

  private consoleApi() {
    const token = this.taskForce.token();
    return { get: (url: string) => request(this.taskForce.app.getHttpServer()).get(url).set('Authorization', `Bearer ${token}`) };
  }

  /**
   * One round: genuine traffic on every topic, then the hostile messages, then genuine events on the
   * streams the forgeries claimed. Returns the hostile messages as sent, once every consumer has
   * read everything on its topics.
   */
  async play(hostile: Hostile[]): Promise<{ round: Round; sent: Sent[] }> {
    const round = await this.firstHalf();
    const sent = await this.send(hostile, round);
    try {
      await this.secondHalf(round);
      await this.settle();
    } catch (error) {
      // A genuine event that does not arrive was most likely parked or held back: say so.
      const found = await this.checkNothingHostileApplied().catch(() => []);
      throw new Error([(error as Error).message, ...found].join('\n  '));
    }
    return { round, sent };
  }

  private async firstHalf(): Promise<Round> {
    const { police, immigration, ministry } = this.stack;
    const passport = passportNumber();
    const suspectPerson = someone(passport);
    const homecomingPerson = someone(passportNumber());
    const flaggedPerson = someone();
    const [suspect, homecoming, flagged, console] = await Promise.all([
      (async () => {
        const id = (await police.http().post('/suspects').send({ commandId: uuidv7(), person: suspectPerson, role: 'recruiter' }).expect(201)).body.result.suspectId as string;
        return { id, stream: await this.streamOf(police, 'suspectId', id) };
      })(),
      (async () => {
        const id = (await ministry.http().post('/cases').send({ commandId: uuidv7(), person: homecomingPerson, reportedBy: 'relative', lastKnownCountry: 'KH', reportedOn: '2026-01-02' }).expect(201)).body.result.caseId as string;
        await ministry.http().post(`/cases/${id}/located`).send({ commandId: uuidv7(), country: 'KH', locatedOn: '2026-01-05' }).expect(201);
        return { id, stream: await this.streamOf(ministry, 'caseId', id), person: homecomingPerson };
      })(),
      (async () => {
        const id = (await ministry.http().post('/cases').send({ commandId: uuidv7(), person: flaggedPerson, reportedBy: 'ngo', lastKnownCountry: 'MM', reportedOn: '2026-01-03' }).expect(201)).body.result.caseId as string;
        return { id, person: flaggedPerson };
      })(),
      this.consoleFirstHalf(),
    ]);
    await waitFor('immigration to watchlist the suspect', async () => this.watchlistEntry(suspect.id), WAIT);
    const crossing = await immigration.http().post('/crossings').send({
      commandId: uuidv7(),
      traveller: { name: suspectPerson.name, birthDate: suspectPerson.birthDate, nationality: 'MY', passport: { number: passport, country: 'MY' } },
      direction: 'outbound',
      checkpoint: 'KLIA',
      crossedAt: '2026-01-10T08:15:00Z',
    }).expect(201);
    const alertId = crossing.body.result.alerts[0].alertId as string;
    await waitFor('police to record the sighting', async () => (await police.http().get(`/suspects/${suspect.id}`).expect(200)).body.sightings === 1, WAIT);
    return { suspect, alert: { id: alertId, stream: await this.streamOf(immigration, 'alertId', alertId) }, homecoming, flagged, console };
  }

  private async secondHalf(round: Round): Promise<void> {
    const { police, immigration, ministry } = this.stack;
    await Promise.all([
      (async () => {
        await police.http().post(`/suspects/${round.suspect.id}/role`).send({ commandId: uuidv7(), role: 'ringleader', reason: 'ran the compound' }).expect(201);
        await waitFor('immigration to learn the new role', async () => (await this.watchlistEntry(round.suspect.id))?.role === 'ringleader', WAIT);
      })(),
      (async () => {
        await immigration.http().post(`/alerts/${round.alert.id}/dismiss`).send({ commandId: uuidv7(), reason: 'namesake' }).expect(201);
        await waitFor('police to withdraw the sighting', async () => (await police.http().get(`/suspects/${round.suspect.id}`).expect(200)).body.sightings === 0, WAIT);
      })(),
      (async () => {
        const { id, person } = round.homecoming;
        await ministry.http().post(`/cases/${id}/repatriation`).send({ commandId: uuidv7(), expectedOn: '2026-02-01', checkpoint: 'KLIA' }).expect(201);
        await waitFor('immigration to expect the return', async () => ((await immigration.http().get('/returns').expect(200)).body as { caseRef: { id: string } }[]).some((r) => r.caseRef.id === id), WAIT);
        const traveller = { name: person.name, birthDate: person.birthDate, nationality: 'MY', passport: person.passports![0] };
        await immigration.http().post('/crossings').send({ commandId: uuidv7(), traveller, direction: 'inbound', checkpoint: 'KLIA', crossedAt: '2026-02-01T06:40:00Z' }).expect(201);
        await waitFor('the ministry to record the return', async () => (await ministry.http().get(`/cases/${id}`).expect(200)).body.status === 'repatriated', WAIT);
        const erased = (await ministry.http().post(`/personal-data/${id}/erasure`).send({ commandId: uuidv7(), reason: 'PDPA s.10 request' }).expect(200)).body.result.events[0].id as string;
        await waitFor('police to apply the ministry\'s erasure', async () => (await police.dataSource.query(`SELECT 1 FROM interlink.inbox WHERE event_id = $1`, [erased])).length === 1, WAIT);
      })(),
      (async () => {
        await police.http().post('/suspects').send({ commandId: uuidv7(), person: { name: round.flagged.person.name, birthDate: round.flagged.person.birthDate, nationality: 'MY' }, role: 'operator' }).expect(201);
        await waitFor('the ministry to flag the case', async () => (await ministry.http().get(`/cases/${round.flagged.id}`).expect(200)).body.underReview === true, WAIT);
      })(),
      this.consoleSecondHalf(round),
    ]);
  }

  private async consoleFirstHalf(): Promise<Round['console']> {
    const f = this.taskForce;
    const [suspect, alert, caseId] = [uuidv7(), uuidv7(), uuidv7()];
    const identified = await f.publish('police', `suspect-${suspect}`, {
      type: 'intel.police.suspect-identified',
      data: { suspectId: suspect, role: 'recruiter', person: { name: `${word()} ${word()}`, nationality: 'MY' } },
    });
    await f.publish('immigration', `alert-${alert}`, {
      type: 'intel.immigration.border-alert-raised',
      data: {
        alertId: alert,
        crossingId: uuidv7(),
        entryId: uuidv7(),
        suspect: { agency: f.agencies.police, id: suspect, eventId: identified.id },
        traveller: { name: `${word()} ${word()}`, birthDate: '1980-01-01', nationality: 'MY', passport: { number: passportNumber(), country: 'MY' } },
        direction: 'outbound',
        checkpoint: 'KLIA',
        crossedAt: '2026-01-10T08:15:00Z',
        match: { reason: 'passport', score: 1, explanation: 'passport equals the watchlisted one' },
      },
    });
    await f.publish('foreign-ministry', `case-${caseId}`, {
      type: 'intel.foreign-ministry.victim-reported',
      data: { caseId, person: { name: `${word()} ${word()}`, nationality: 'MY' }, reportedBy: 'relative', lastKnownCountry: 'KH', reportedOn: '2026-01-02' },
    });
    const stream = (id: string) => async () => ((await this.consoleApi().get('/api/feed?limit=500').expect(200)).body.items as { subject: string }[]).some((i) => i.subject === id);
    await waitFor('the console to show what the partners released', async () => (await stream(`suspect-${suspect}`)()) && (await stream(`alert-${alert}`)()) && stream(`case-${caseId}`)(), WAIT);
    return { suspect: `suspect-${suspect}`, alert: `alert-${alert}`, case: `case-${caseId}` };
  }

  private async consoleSecondHalf(round: Round): Promise<void> {
    const f = this.taskForce;
    const id = (stream: string) => stream.slice(stream.indexOf('-') + 1);
    const released = await Promise.all([
      f.publish('police', round.console.suspect, { type: 'intel.police.suspect-role-changed', data: { suspectId: id(round.console.suspect), from: 'recruiter', to: 'ringleader', reason: 'ran the compound' } }),
      f.publish('immigration', round.console.alert, { type: 'intel.immigration.border-alert-dismissed', data: { alertId: id(round.console.alert), reason: 'namesake' } }),
      f.publish('foreign-ministry', round.console.case, { type: 'intel.foreign-ministry.victim-located', data: { caseId: id(round.console.case), country: 'KH', locatedOn: '2026-01-05' } }),
    ]);
    await waitFor('the console to show the second half', async () => {
      const shown = new Set(((await this.consoleApi().get('/api/feed?limit=500').expect(200)).body.items as { eventId: string }[]).map((i) => i.eventId));
      return released.every((e) => shown.has(e.id));
    }, WAIT);
  }

  /** Immigration's entry for a police suspect, once its personal data is readable (the key arrived). */
  private async watchlistEntry(suspectId: string): Promise<{ name: string; role: string } | undefined> {
    const entries = (await this.stack.immigration.http().get('/watchlist').expect(200)).body as { suspect?: { id: string }; name: string; role: string }[];
    return entries.find((e) => e.suspect?.id === suspectId && e.name);
  }

  private async streamOf(agency: RunningAgency, field: string, id: string): Promise<string> {
    const [row] = await agency.dataSource.query(`SELECT stream_id FROM interlink.events WHERE envelope->'data'->>$1 = $2 ORDER BY position LIMIT 1`, [field, id]);
    return row.stream_id;
  }

  /** Waits until every consumer group has committed everything on its topics. */
  private async settle(): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const t of this.targets.values()) groups.set(t.group, [...(groups.get(t.group) ?? []), t.topic]);
    await waitFor('every consumer to read everything on its topics', async () => {
      for (const [group, topics] of groups) {
        const behind = (await consumerLag(this.admin, group, topics)).filter((p) => p.lag > 0);
        if (behind.length > 0) throw new Error(`${group} is behind on ${behind.map((p) => `${p.topic}/${p.partition} (${p.committed} of ${p.high})`).join(', ')}`);
      }
      return true;
    }, WAIT);
    for (const agency of [this.stack.police, this.stack.immigration, this.stack.ministry]) {
      const ids = (await agency.dataSource.query(`SELECT id::text FROM interlink.events`)).map((r: { id: string }) => r.id);
      await waitFor(`the auditors to archive ${agency.id}'s ${ids.length} events`, async () => {
        const [{ archived }] = await this.stack.audit.dataSource.query(`SELECT count(DISTINCT event_id)::int AS archived FROM audit.archive WHERE agency = $1 AND event_id = ANY($2::uuid[])`, [agency.id, ids]);
        return archived === ids.length;
      }, WAIT);
    }
  }

  /** Every consumer topic, by the role names hostile descriptions use. */
  private async describeTargets(): Promise<void> {
    const audit = this.stack.audit;
    const f = this.taskForce;
    const tf = f.agencies['task-force'];
    const keysOf = (dir: string, id: string) => loadOrCreateDevKey(dir, id);
    const add = async (name: string, topic: string, t: Omit<Target, 'name' | 'topic' | 'partitions' | 'genuine' | 'streams' | 'partitionOf'>) => {
      const [{ partitions }] = (await this.admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const metadata = partitions.map((p) => ({ partitionId: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, partitionErrorCode: 0 }));
      const partitioner = Partitioners.DefaultPartitioner();
      this.targets.set(name, {
        name,
        topic,
        partitions: partitions.length,
        genuine: [],
        streams: [],
        partitionOf: (key) => (key === null ? undefined : partitioner({ topic, partitionMetadata: metadata, message: { key, value: null } })),
        ...t,
      });
    };
    for (const from of ROLES) {
      const sender = this.agency(from);
      const partner = f.partners[from].id;
      const others = ROLES.filter((r) => r !== from).map((r) => keysOf(this.stack.keysDir, this.agency(r).id));
      const consoleOthers = ROLES.filter((r) => r !== from).map((r) => keysOf(f.config.trustedKeysDir, f.partners[r].id));
      const signer = keysOf(this.stack.keysDir, sender.id);
      const consoleSigner = keysOf(f.config.trustedKeysDir, partner);
      for (const to of ROLES.filter((r) => r !== from)) {
        const recipient = this.agency(to);
        const common = { sender: sender.id, recipient: recipient.id, signer, others, db: recipient.dataSource };
        await add(`${from}>${to}`, topicFor(sender.id, recipient.id), { ...common, kind: 'events', consumer: `${recipient.id}-policies`, group: `${recipient.id}-policies` });
        await add(`keys:${from}>${to}`, keyTopicFor(sender.id, recipient.id), { ...common, kind: 'keys', group: `${recipient.id}-keys` });
      }
      const toAudit = { sender: sender.id, recipient: audit.id, signer, others, db: audit.dataSource };
      await add(`${from}>audit`, topicFor(sender.id, audit.id), { ...toAudit, kind: 'archive', group: `${audit.id}-archive` });
      await add(`keys:${from}>audit`, keyTopicFor(sender.id, audit.id), { ...toAudit, kind: 'keys', group: `${audit.id}-keys` });
      const toConsole = { sender: partner, recipient: tf, signer: consoleSigner, others: consoleOthers, db: this.consoleDb };
      await add(`${from}>task-force`, topicFor(partner, tf), { ...toConsole, kind: 'events', consumer: `${tf}-console`, group: `${tf}-console` });
      await add(`keys:${from}>task-force`, keyTopicFor(partner, tf), { ...toConsole, kind: 'keys', group: `${tf}-console-keys` });
    }
    const records = await readToEnd(this.kafka, this.admin, [...this.targets.values()].map((t) => t.topic));
    for (const t of this.targets.values()) {
      t.genuine = records.filter((r) => r.topic === t.topic && r.value !== null && r.value.length > 0);
      t.streams = [...new Set(t.kind === 'keys' ? [] : t.genuine.map((r) => r.key?.toString() ?? ''))].filter(Boolean);
    }
  }

  /** Streams of this round a forgery on `target` may claim: those that get a genuine event in the second half come first. */
  private claimable(t: Target, round: Round): string[] {
    const fresh: Record<string, string[]> = {
      'police>immigration': [round.suspect.stream],
      'police>foreign-ministry': [round.suspect.stream],
      'immigration>police': [round.alert.stream],
      'foreign-ministry>immigration': [round.homecoming.stream],
      'foreign-ministry>police': [round.homecoming.stream],
      'police>task-force': [round.console.suspect],
      'immigration>task-force': [round.console.alert],
      'foreign-ministry>task-force': [round.console.case],
    };
    return [...(fresh[t.name] ?? []), ...t.streams];
  }

  private async send(hostile: Hostile[], round: Round): Promise<Sent[]> {
    const built = hostile.map((h) => {
      const target = this.targets.get(h.to);
      if (!target) throw new Error(`no consumer topic "${h.to}"`);
      const m = materialise(h, { ...target, streams: this.claimable(target, round) });
      return { hostile: h, target, ...m, partition: h.onPartition === undefined ? m.partition : h.onPartition % target.partitions };
    });
    const sent: Sent[] = [];
    // One produce request per topic partition, in order, so each message's offset is known; the
    // broker takes at most 1 MB per request, so large ones go alone.
    const groups = new Map<string, typeof built>();
    for (const b of built) groups.set(`${b.target.topic}\n${b.partition}`, [...(groups.get(`${b.target.topic}\n${b.partition}`) ?? []), b]);
    for (const group of groups.values()) {
      for (const chunk of chunksOf(group, (b) => (b.value?.length ?? 0) + (b.key?.length ?? 0), PRODUCE_CHUNK_BYTES)) {
        const [{ baseOffset }] = await this.producer.send({
          topic: chunk[0].target.topic,
          acks: -1,
          messages: chunk.map((b) => ({ key: b.key, value: b.value, headers: b.headers, partition: b.partition })),
        });
        chunk.forEach((b, i) => {
          const offset = String(BigInt(baseOffset!) + BigInt(i));
          sent.push({ ...b, topic: b.target.topic, offset });
          this.hostileOffsets.add(`${b.target.topic}/${b.partition}@${offset}`);
        });
      }
    }
    return sent;
  }

  /** Copies every dead letter as it arrives, by the position of the message it copies. */
  private async readDeadLetters(): Promise<void> {
    const consumers = new Set([...this.targets.values()].flatMap((t) => (t.consumer ? [`dlq.${t.consumer}`] : [])));
    this.deadLetterReader = this.kafka.consumer({ groupId: `reader-${testRunId()}-dlq-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await this.deadLetterReader.connect();
    await this.deadLetterReader.subscribe({ topics: [...consumers], fromBeginning: true });
    await this.deadLetterReader.run({
      eachMessage: async ({ message }) => {
        const h = (name: string) => message.headers?.[name]?.toString();
        this.deadLetters.set(`${h('interlink-original-topic')}/${h('interlink-original-partition')}@${h('interlink-original-offset')}`, { value: message.value, headers: message.headers ?? {} });
      },
    });
  }

  /**
   * What every recipient made of the round: each hostile message parked with its reason (and its
   * copy on the dead-letter topic), archived, or refused; replays skipped; nothing hostile in an
   * inbox or a read model; no genuine event parked; every key a partner holds the owner's own.
   */
  async check(sent: Sent[]): Promise<void> {
    const problems: string[] = [];
    const about = (s: Sent) => `${describeHostile(s.hostile)}, at ${s.topic}/${s.partition}@${s.offset}`;
    const position = (s: Sent) => `${s.topic}/${s.partition}@${s.offset}`;
    const parked = sent.filter((s) => 'parked' in s.expect);
    await waitFor('a dead letter for every parked message', () => parked.every((s) => this.deadLetters.has(position(s))), { timeoutMs: 30_000 }).catch(() => undefined);
    for (const s of sent) {
      const e = s.expect;
      if ('parked' in e || 'skipped' in e) {
        const [row] = await s.target.db.query(
          `SELECT id, reason, stream_id, claimed_stream_id FROM interlink.parked_events WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3 AND kafka_offset = $4`,
          [s.target.consumer, s.topic, s.partition, s.offset],
        );
        if ('skipped' in e) {
          if (row) problems.push(`${about(s)}: a replay of a genuine event was parked: ${row.reason}`);
          continue;
        }
        if (!row) {
          problems.push(`${about(s)}: not parked`);
          continue;
        }
        if (!e.parked.test(row.reason)) problems.push(`${about(s)}: parked with the reason "${row.reason}", which does not match ${e.parked}`);
        const subject = e.holds ? JSON.parse(s.value!.toString()).subject : null;
        if ((row.stream_id ?? null) !== subject) problems.push(`${about(s)}: holds back stream ${JSON.stringify(row.stream_id)}, expected ${JSON.stringify(subject)}`);
        if (!e.holds && s.claims !== undefined && row.claimed_stream_id !== s.claims) problems.push(`${about(s)}: the stream it claimed, ${s.claims}, is recorded as ${JSON.stringify(row.claimed_stream_id)}`);
        const copy = this.deadLetters.get(position(s));
        // Within a few kilobytes of the limit, the headers decide whether the copy is whole.
        const size = (s.value?.length ?? 0) + (s.key?.length ?? 0);
        const whole = size < DEAD_LETTER_MAX_BYTES - 16 * 1024 ? true : size > DEAD_LETTER_MAX_BYTES ? false : undefined;
        if (!copy) problems.push(`${about(s)}: no copy on dlq.${s.target.consumer}`);
        else if (copy.headers['interlink-parked-reason']?.toString() !== row.reason) problems.push(`${about(s)}: its dead letter gives the reason "${copy.headers['interlink-parked-reason']}"`);
        else if (whole === true && !(copy.value ?? Buffer.alloc(0)).equals(s.value ?? Buffer.alloc(0))) problems.push(`${about(s)}: its dead letter does not hold the message`);
        else if (whole === false && (copy.value !== null || !copy.headers['interlink-dead-letter-truncated'])) problems.push(`${about(s)}: its dead letter should leave out the ${size} bytes and say so`);
      } else if ('archived' in e) {
        const [row] = await s.target.db.query(`SELECT raw, envelope IS NULL AS unparsed, unreadable, event_time FROM audit.archive WHERE topic = $1 AND kafka_partition = $2 AND kafka_offset = $3`, [s.topic, s.partition, s.offset]);
        if (!row) {
          problems.push(`${about(s)}: not archived`);
          continue;
        }
        if (!(row.raw ?? Buffer.alloc(0)).equals(s.value ?? Buffer.alloc(0))) problems.push(`${about(s)}: archived bytes differ from those sent`);
        if (row.unparsed !== (row.unreadable !== null)) problems.push(`${about(s)}: ${row.unparsed ? 'kept as raw bytes without saying why' : `parsed, yet marked unreadable: ${row.unreadable}`}`);
        if (e.archived && !e.archived.test(row.unreadable ?? '')) problems.push(`${about(s)}: archived with the note "${row.unreadable}", which does not match ${e.archived}`);
        if (!e.archived && row.unparsed) problems.push(`${about(s)}: archived as raw bytes only: ${row.unreadable}`);
      }
    }
    problems.push(...(await this.checkNothingHostileApplied()), ...(await this.checkKeys()));
    if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }

  /** Inboxes hold only events their senders recorded; only hostile messages are parked; read models count each event once. */
  private async checkNothingHostileApplied(): Promise<string[]> {
    const problems: string[] = [];
    const genuine = new Set<string>();
    const stores = [...[this.stack.police, this.stack.immigration, this.stack.ministry].map((a) => a.dataSource), ...ROLES.map((r) => this.taskForce.partners[r].db.dataSource)];
    for (const db of stores) for (const { id } of await db.query(`SELECT id::text FROM interlink.events`)) genuine.add(id);
    const consumers = [...new Map([...this.targets.values()].filter((t) => t.consumer).map((t) => [t.consumer!, t.db])).entries()];
    for (const [consumer, db] of consumers) {
      const inbox: { event_id: string }[] = await db.query(`SELECT event_id::text FROM interlink.inbox WHERE consumer = $1`, [consumer]);
      const foreign = inbox.filter((r) => !genuine.has(r.event_id));
      if (foreign.length > 0) problems.push(`${consumer} applied ${foreign.length} event(s) no sender recorded: ${foreign.map((r) => r.event_id).join(', ')}`);
      const parked: { topic: string; kafka_partition: number; kafka_offset: string; reason: string }[] = await db.query(
        `SELECT topic, kafka_partition, kafka_offset::text, reason FROM interlink.parked_events WHERE consumer = $1`,
        [consumer],
      );
      for (const p of parked.filter((p) => !this.hostileOffsets.has(`${p.topic}/${p.kafka_partition}@${p.kafka_offset}`))) {
        problems.push(`${consumer} parked a genuine event at ${p.topic}/${p.kafka_partition}@${p.kafka_offset}: ${p.reason}`);
      }
    }
    const suspects = (await this.stack.police.http().get('/suspects').expect(200)).body.length;
    const watchlist = (await this.stack.immigration.http().get('/watchlist').expect(200)).body.length;
    if (watchlist !== suspects) problems.push(`immigration's watchlist has ${watchlist} entries for police's ${suspects} suspects`);
    const [{ released }] = await Promise.all(ROLES.map((r) => this.taskForce.partners[r].db.dataSource.query(`SELECT count(*)::int AS released FROM interlink.events`))).then((counts) => [
      { released: counts.reduce((sum, [c]) => sum + c.released, 0) },
    ]);
    const [{ shown }] = await this.consoleDb.query(`SELECT count(*)::int AS shown FROM console.feed`);
    if (shown !== released) problems.push(`the console shows ${shown} events of the ${released} its partners released`);
    return problems;
  }

  /** Every key a recipient holds is the one its owner made for that record, and a record is erased only where its owner erased it. */
  private async checkKeys(): Promise<string[]> {
    const problems: string[] = [];
    const owned = new Map<string, Map<string, { key: Buffer | null }>>();
    const ownersDb = new Map<string, DataSource>([
      ...[this.stack.police, this.stack.immigration, this.stack.ministry].map((a) => [a.id, a.dataSource] as const),
      ...ROLES.map((r) => [this.taskForce.partners[r].id, this.taskForce.partners[r].db.dataSource] as const),
    ]);
    for (const [owner, db] of ownersDb) {
      const rows: { ref: string; key: Buffer | null }[] = await db.query(`SELECT ref::text, key FROM interlink.data_keys WHERE owner = $1`, [owner]);
      owned.set(owner, new Map(rows.map((r) => [r.ref, r])));
    }
    const holders = new Map([...this.targets.values()].filter((t) => t.kind === 'keys').map((t) => [t.db, t.recipient]));
    for (const [db, holder] of holders) {
      const held: { owner: string; ref: string; key: Buffer | null }[] = await db.query(`SELECT owner, ref::text, key FROM interlink.data_keys WHERE owner = ANY($1::text[]) AND owner <> $2`, [[...ownersDb.keys()], holder]);
      for (const h of held) {
        const own = owned.get(h.owner)!.get(h.ref);
        const where = `${holder} holds ${h.owner}'s record ${h.ref}`;
        if (!own) problems.push(`${where}, which ${h.owner} never made`);
        else if (h.key !== null && own.key === null) problems.push(`${where} with its key, although ${h.owner} erased it`);
        else if (h.key !== null && !h.key.equals(own.key!)) problems.push(`${where} with a key that is not ${h.owner}'s`);
        else if (h.key === null && own.key !== null) problems.push(`${where} as erased, but ${h.owner} did not erase it`);
      }
    }
    return problems;
  }
}

/** Every record on `topics` up to their high watermarks now, with keys, values and headers as bytes. */
async function readToEnd(kafka: Kafka, admin: Admin, topics: string[]): Promise<(RawMessage & { topic: string })[]> {
  const pending = new Map<string, number>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (Number(high) > Number(low)) pending.set(`${topic}/${partition}`, Number(high));
    }
  }
  const records: (RawMessage & { topic: string })[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `reader-${testRunId()}-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        records.push({ topic, partition, key: message.key, value: message.value, headers: message.headers ?? {} });
        if (Number(message.offset) + 1 >= (pending.get(`${topic}/${partition}`) ?? Infinity)) pending.delete(`${topic}/${partition}`);
      },
    });
    await waitFor('every genuine message read', () => pending.size === 0, WAIT);
  } finally {
    await consumer.disconnect();
  }
  return records;
}
