// End to end: latency from a police command over HTTP (POST /suspects, released to immigration and
// the task force) to (a) immigration's watchlist row and (b) the task-force console's live feed
// (SSE), at steady rates, with every service a child process. A 2-core machine cannot carry
// hundreds of HTTP commands/s, so the rate is made by appending suspects in-process into the
// police store (the same EventStore code the service runs) and latency is measured on HTTP probe
// commands on top. Also the services' memory, idle and under that load (the memory benchmark).
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { interlinkRegistry, topicFor } from '@interlink/contracts';
import { EventStore, createDataSource } from '@interlink/event-store';
import { consumerLag } from '@interlink/messaging';
import { entryIdForSuspect } from '../services/immigration/src/watchlist/watchlist.policy';
import { watchlistStream } from '../services/immigration/src/watchlist/watchlist-entry.decider';
import { ServiceProcess } from '../scripts/faults/services';
import { BenchContext } from './context';
import { PoliceEvents, suspectContext } from './events';
import { cpuByGroup, cpuMsPer, cpuMsText, cpuUsed, rssMiB, say, sleep } from './infra';
import { Figure } from './report';
import { Distribution, distribution, nowMs } from './stats';

/** Background appends in flight at most; beyond it the generator falls behind and says so. */
const LOAD_IN_FLIGHT = 16;
const LATENCY_TARGET_MS = 50;
/** How long the idle stack's CPU use is measured, before the steps. */
const IDLE_SECONDS = 5;

interface Probe {
  suspectId: string;
  entryId: string;
  sentAt: number;
  /** The wall clock at sentAt, to place the databases' timestamps on the same time line. */
  sentWall: number;
  ackedAt?: number;
  watchlistAt?: number;
  feedAt?: number;
  failed?: string;
}

interface StepResult {
  rate: number;
  seconds: number;
  /** Events/s actually appended in the background, and by probes. */
  background: { target: number; achieved: number };
  probes: number;
  watchlist: Distribution & { lost: number };
  feed: Distribution & { lost: number };
  command: Distribution;
  /** Sampled through the step: immigration's and the console's consumer lag (Kafka records), the police relay's backlog, the oldest transaction of another database (s). */
  lag: { t: number; immigration: number; console: number; policeRelayWaiting: number | null; foreignTransactionS: number }[];
  /** Where a probe's time went, from the databases' own timestamps (see stageTimes). */
  stages: StageTimes;
  /** CPU milliseconds per event of the step (background and probes), per process group, and the machine's share busy. */
  cpu: { msPerEvent: Record<string, number>; coresBusy: number };
  sustainable: boolean;
  why: string[];
}

/**
 * The console's live feed over SSE, read in this process: the arrival time of each event's
 * subject. A stream that ends (the console reports an error and closes it) is opened again with
 * Last-Event-ID, as the console's page does, so nothing is missed.
 */
class FeedReader {
  private readonly abort = new AbortController();
  private done?: Promise<void>;
  private lastId?: string;
  events = 0;
  reconnects = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly onEvent: (subject: string, at: number) => void,
  ) {}

  start(): void {
    this.done = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.read();
        } catch (error) {
          if (this.abort.signal.aborted) return;
          say(`feed stream: ${(error as Error).message}; reconnecting after ${this.lastId ?? 'the start'}`);
        }
        this.reconnects++;
        await sleep(200);
      }
    })();
  }

  private async read(): Promise<void> {
    const res = await fetch(`${this.url}/api/feed/stream?type=intel.police.suspect-identified${this.lastId ? '' : '&after=0'}`, {
      headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream', ...(this.lastId ? { 'last-event-id': this.lastId } : {}) },
      signal: this.abort.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET /api/feed/stream answered ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const at = nowMs();
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const fields = new Map<string, string>();
        for (const line of buffer.slice(0, end).split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) fields.set(line.slice(0, colon), (fields.has(line.slice(0, colon)) ? fields.get(line.slice(0, colon)) + '\n' : '') + line.slice(colon + 1).trimStart());
        }
        buffer = buffer.slice(end + 2);
        if (fields.get('event') !== 'feed' || !fields.has('data')) continue;
        this.lastId = fields.get('id') ?? this.lastId;
        this.events++;
        this.onEvent((JSON.parse(fields.get('data')!) as { subject: string }).subject, at);
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

export async function endToEnd(ctx: BenchContext): Promise<void> {
  const { run, options } = ctx;
  const sizes = options.sizes;
  const measureLatency = options.only.includes('e2e');
  const measureMemory = options.only.includes('memory');
  const profileDir = ctx.profileDir('e2e');
  const ids = run.ids;

  say(`e2e: starting police, immigration, foreign ministry, audit and the console as child processes${profileDir ? ' under --cpu-prof' : ''}`);
  const roles = ['police', 'immigration', 'foreign-ministry', 'audit', 'task-force-console'] as const;
  const services = Object.fromEntries(
    (await Promise.all(roles.map((role) => run.startService(role, { profileDir })))).map((s) => [s.role, s]),
  ) as Record<(typeof roles)[number], ServiceProcess>;
  const memory: Record<string, { idle: number | null; loaded: number | null }> = {};
  await sleep(5000);
  for (const s of Object.values(services)) memory[s.name] = { idle: rssMiB(s.pid!), loaded: null };
  say(`e2e: idle RSS ${Object.entries(memory).map(([n, m]) => `${n} ${m.idle?.toFixed(0)} MiB`).join(', ')}`);

  const policeDb = createDataSource({ url: run.databaseUrl('police'), poolSize: 8, applicationName: 'bench-load', statementCache: run.statementCache });
  await policeDb.initialize();
  run.defer(() => policeDb.destroy());
  const store = new EventStore(policeDb, interlinkRegistry(), ids.police);
  const watchlist = new Client({ connectionString: run.databaseUrl('immigration') });
  await watchlist.connect();
  run.defer(() => watchlist.end());
  // The Postgres backend of the bench's own connection to immigration's database (the probes'
  // registrations, their notifications, the lag sampler's query): its CPU is the bench's, not the stack's.
  const watchBackend: number = (await watchlist.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
  const stampsKafka = run.kafka('bench-stamps');
  let stampReads = 0;
  const admin = run.kafka('bench-e2e').admin();
  await admin.connect();
  run.defer(() => admin.disconnect());
  const immigrationTopics = [topicFor(ids.police, ids.immigration), topicFor(ids['foreign-ministry'], ids.immigration)];
  const consoleTopics = [ids.police, ids.immigration, ids['foreign-ministry']].map((from) => topicFor(from, ids['task-force']));
  const lagOf = async (group: string, topics: string[]) => {
    try {
      return (await consumerLag(admin, group, topics)).reduce((n, p) => n + p.lag, 0);
    } catch {
      return -1;
    }
  };

  // Log readers (relays, projections) see only what committed before the oldest transaction on the
  // whole server: another database's long transaction stalls this run's pipeline, and is reported.
  const oldestForeignTransaction = async (): Promise<number> => {
    const [{ age }] = (
      await watchlist.query(
        `SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0)::float AS age FROM pg_stat_activity
          WHERE backend_xmin IS NOT NULL AND datname NOT LIKE $1 AND pid <> pg_backend_pid()`,
        [`bench\\_${run.id}\\_%`],
      )
    ).rows;
    return age;
  };
  /** Events police recorded and its relay has not published yet (its readiness, counted up to 10,000). */
  const relayWaiting = async (): Promise<number | null> => {
    try {
      const res = await fetch(`${services.police.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      return ((await res.json()) as { details?: { relay?: { waiting?: number } } }).details?.relay?.waiting ?? null;
    } catch {
      return null;
    }
  };
  const policeToken = run.token('police', ['officer']);
  /** CPU seconds so far by group: each service, Postgres less the backend of the bench's own connection (its own group), Kafka, the bench. */
  const cpuNow = () => {
    const used = cpuByGroup({ ...Object.fromEntries(Object.values(services).map((s) => [s.name, s.pid!])), bench: process.pid, 'probe watch': watchBackend });
    used.postgres -= used['probe watch'];
    return used;
  };
  const perAppend = sizes.e2eEventsPerAppend;
  const generator = new PoliceEvents(`${run.id}e`, ids.immigration, 6);
  const bySubject = new Map<string, Probe>();
  const feed = new FeedReader(services['task-force-console'].url, run.token('task-force', ['analyst']), (subject, at) => {
    const probe = bySubject.get(subject);
    if (probe && probe.feedAt === undefined) probe.feedAt = at;
  });
  feed.start();
  run.defer(() => feed.stop());

  // A probe's watchlist row announces itself. A trigger the bench adds to its own immigration
  // database notifies the bench's connection of each probe's row, and Postgres delivers the
  // notification when immigration's transaction commits, that is when the row becomes visible.
  // (The bench used to query for the rows every 2 ms, which took a tenth to a quarter of a core
  // from the stack it measured.) The trigger looks up each inserted row's id among the probes'.
  const byEntry = new Map<string, Probe>();
  watchlist.on('notification', (message) => {
    const at = nowMs();
    const p = message.payload ? byEntry.get(message.payload) : undefined;
    if (p && p.watchlistAt === undefined) p.watchlistAt = at;
  });
  await watchlist.query(`CREATE TABLE bench_probes (entry_id uuid PRIMARY KEY)`);
  await watchlist.query(`
    CREATE FUNCTION bench_probe_seen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM bench_probes WHERE entry_id = NEW.entry_id) THEN
        PERFORM pg_notify('bench_probe_seen', NEW.entry_id::text);
      END IF;
      RETURN NULL;
    END $$`);
  await watchlist.query(`CREATE TRIGGER bench_probe_seen AFTER INSERT ON watchlist FOR EACH ROW EXECUTE FUNCTION bench_probe_seen()`);
  await watchlist.query(`LISTEN bench_probe_seen`);
  /** Rows of probes the notifications did not announce (a lost notification would be a defect of the method). */
  const unannounced = async (probes: Probe[]): Promise<number> => {
    const awaited = probes.filter((p) => p.watchlistAt === undefined).map((p) => p.entryId);
    if (awaited.length === 0) return 0;
    return (await watchlist.query(`SELECT count(*)::int AS n FROM watchlist WHERE entry_id = ANY($1::uuid[])`, [awaited])).rows[0].n;
  };

  const probe = async (into: Probe[]) => {
    const suspectId = randomUUID();
    const entryId = entryIdForSuspect(ids.police, suspectId);
    await watchlist.query({ name: 'probe', text: `INSERT INTO bench_probes (entry_id) VALUES ($1)`, values: [entryId] });
    const p: Probe = { suspectId, entryId, sentAt: nowMs(), sentWall: Date.now() };
    byEntry.set(entryId, p);
    into.push(p);
    bySubject.set(`suspect-${suspectId}`, p);
    try {
      const res = await fetch(`${services.police.url}/suspects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${policeToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ commandId: randomUUID(), suspectId, person: generator.person(), role: 'recruiter' }),
      });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 200) throw new Error(`POST /suspects answered ${res.status}`);
      p.ackedAt = nowMs();
    } catch (error) {
      // fetch says only "fetch failed"; what failed (a reset, a closed socket, a timeout) is its cause.
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      p.failed = `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
    }
  };

  /** `backlog`: events the consumers had not caught up with when the step began (its latencies then include them). */
  const step = async (rate: number, seconds: number, backlog: number): Promise<StepResult> => {
    const probeRate = Math.min(sizes.e2eProbeRate, rate);
    const backgroundRate = rate - probeRate;
    const probes: Probe[] = [];
    const lag: StepResult['lag'] = [];
    let appended = 0;
    let inFlight = 0;
    const failures: Record<string, number> = {};
    const start = nowMs();
    const end = start + seconds * 1000;
    const cpuBefore = cpuNow();
    const work: Promise<unknown>[] = [];
    say(`e2e: ${rate} events/s for ${seconds} s: ${backgroundRate} appended in-process (${perAppend} per EventStore.append) + ${probeRate} HTTP probe commands/s`);
    const sampler = setInterval(() => {
      for (const s of Object.values(services)) {
        const rss = rssMiB(s.pid!);
        if (rss !== null) memory[s.name].loaded = Math.max(memory[s.name].loaded ?? 0, rss);
      }
    }, 1000);
    const lagSampler = (async () => {
      while (nowMs() < end) {
        lag.push({
          t: (nowMs() - start) / 1000,
          immigration: await lagOf(`${ids.immigration}-policies`, immigrationTopics),
          console: await lagOf(`${ids['task-force']}-console`, consoleTopics),
          policeRelayWaiting: await relayWaiting(),
          foreignTransactionS: await oldestForeignTransaction(),
        });
        await sleep(2000);
      }
    })();
    let issuedProbes = 0;
    while (nowMs() < end) {
      const elapsed = (nowMs() - start) / 1000;
      while (issuedProbes < Math.floor(elapsed * probeRate)) {
        issuedProbes++;
        work.push(probe(probes));
      }
      while (appended + inFlight * perAppend < Math.floor(elapsed * backgroundRate) && inFlight < LOAD_IN_FLIGHT) {
        inFlight++;
        const suspectId = randomUUID();
        work.push(
          store
            .append(`suspect-${suspectId}`, 0, generator.story(suspectId).slice(0, perAppend), suspectContext(ids))
            .then(() => (appended += perAppend))
            .catch((error: Error) => {
              failures[error.message] = (failures[error.message] ?? 0) + 1;
            })
            .finally(() => inFlight--),
        );
      }
      await sleep(2);
    }
    const issueSeconds = (nowMs() - start) / 1000;
    await Promise.all(work);
    const cpu = cpuPerEvent(cpuBefore, cpuNow(), appended + probes.length, (nowMs() - start) / 1000);
    await lagSampler;
    // Probes of this step may still arrive; later steps wait until the network has drained.
    const deadline = nowMs() + sizes.e2eDrainSeconds * 1000;
    while (nowMs() < deadline && probes.some((p) => !p.failed && (p.watchlistAt === undefined || p.feedAt === undefined))) await sleep(50);
    clearInterval(sampler);
    // A row committed just now may have its notification still on the way: look again after a moment.
    const missed = (await unannounced(probes)) > 0 ? (await sleep(1000), await unannounced(probes)) : 0;
    if (missed > 0) throw new Error(`${missed} probes' watchlist rows were committed without their notification reaching the bench`);
    for (const p of probes) byEntry.delete(p.entryId);

    const latency = (pick: (p: Probe) => number | undefined) => {
      const values = probes.map((p) => pick(p)).filter((v): v is number => v !== undefined);
      return { ...distribution(values), lost: probes.length - values.length };
    };
    const watch = latency((p) => (p.watchlistAt === undefined ? undefined : p.watchlistAt - p.sentAt));
    const seen = latency((p) => (p.feedAt === undefined ? undefined : p.feedAt - p.sentAt));
    const why: string[] = [];
    if (backlog > 0) why.push(`it began with ${backlog} events not yet consumed (the network had not drained within ${sizes.e2eDrainSeconds} s)`);
    if (Object.keys(failures).length) why.push(`background appends failed: ${Object.entries(failures).map(([m, n]) => `${n}x ${m}`).join('; ')}`);
    const refused = new Map<string, number>();
    for (const p of probes) if (p.failed) refused.set(p.failed, (refused.get(p.failed) ?? 0) + 1);
    if (refused.size) why.push(`probe commands failed: ${[...refused].map(([m, n]) => `${n}x ${m}`).join('; ')}`);
    const achieved = appended / issueSeconds;
    if (achieved < 0.9 * backgroundRate) why.push(`the in-process load reached only ${achieved.toFixed(0)} of ${backgroundRate} events/s`);
    if (watch.lost || seen.lost) why.push(`${watch.lost} probes never reached the watchlist and ${seen.lost} never the feed within ${sizes.e2eDrainSeconds} s after the step`);
    const third = Math.max(1, Math.floor(probes.length / 3));
    for (const [name, pick] of [['watchlist', (p: Probe) => p.watchlistAt], ['feed', (p: Probe) => p.feedAt]] as const) {
      const early = distribution(probes.slice(0, third).filter((p) => pick(p) !== undefined).map((p) => pick(p)! - p.sentAt)).p50;
      const late = distribution(probes.slice(-third).filter((p) => pick(p) !== undefined).map((p) => pick(p)! - p.sentAt)).p50;
      if (early !== null && late !== null && late > 1.5 * early + 50) why.push(`${name} latency kept growing: median ${early.toFixed(0)} ms in the first third, ${late.toFixed(0)} ms in the last`);
    }
    const stalled = Math.max(0, ...lag.map((l) => l.foreignTransactionS));
    if (stalled > 1) why.push(`a transaction of another database on the server was ${stalled.toFixed(0)} s old, holding back every log reader (relays, projections) meanwhile`);
    const lastLag = lag[lag.length - 1];
    if (lastLag && lastLag.immigration > Math.max(2 * rate, 50)) why.push(`immigration's consumer lag was ${lastLag.immigration} events at the end (over two seconds of load)`);
    const stages = await stageTimes(probes, policeDb, watchlist, `${ids.immigration}-policies`, (wanted) =>
      sendTimes(stampsKafka, admin, topicFor(ids.police, ids.immigration), `${ids.police}-bench-stamps-${rate}-${++stampReads}`, wanted),
    );
    const result: StepResult = {
      rate,
      seconds: issueSeconds,
      background: { target: backgroundRate, achieved },
      probes: probes.length,
      watchlist: watch,
      feed: seen,
      command: distribution(probes.filter((p) => p.ackedAt !== undefined).map((p) => p.ackedAt! - p.sentAt)),
      lag,
      stages,
      cpu,
      sustainable: why.length === 0,
      why,
    };
    say(`e2e: ${rate}/s: watchlist p50/p99 ${watch.p50?.toFixed(0)}/${watch.p99?.toFixed(0)} ms, feed ${seen.p50?.toFixed(0)}/${seen.p99?.toFixed(0)} ms, ${probes.length} probes; ${result.sustainable ? 'sustainable' : `not sustainable: ${why.join('; ')}`}`);
    say(`e2e: ${rate}/s: stages p50/p99 (ms): ${STAGES.map((k) => `${k} ${stages[k].p50?.toFixed(0)}/${stages[k].p99?.toFixed(0)}`).join(', ')}`);
    say(`e2e: ${rate}/s: CPU ms per event: ${cpuMsText(cpu.msPerEvent)}; ${cpu.coresBusy.toFixed(2)} of ${availableParallelism()} cores busy`);
    return result;
  };

  /** Until both consumers have caught up, so that a step does not inherit the previous one's backlog; returns what is left. */
  const drain = async (): Promise<number> => {
    const deadline = nowMs() + sizes.e2eDrainSeconds * 1000;
    let left = 0;
    while (nowMs() < deadline) {
      const [a, b] = [await lagOf(`${ids.immigration}-policies`, immigrationTopics), await lagOf(`${ids['task-force']}-console`, consoleTopics)];
      left = Math.max(a, 0) + Math.max(b, 0);
      if (a === 0 && b === 0) return 0;
      await sleep(500);
    }
    say(`e2e: consumers still ${left} events behind after ${sizes.e2eDrainSeconds} s; the next step starts with that backlog`);
    return left;
  };

  const steps: StepResult[] = [];
  /** The steps of the search for the highest sustainable rate. */
  const search: StepResult[] = [];
  let best: StepResult | undefined;
  try {
    // Until commands flow through: consumers join their groups, topics appear, code gets compiled.
    const warmUp: Probe[] = [];
    const warmStart = nowMs();
    for (let i = 0; i < 5; i++) await probe(warmUp);
    while (nowMs() - warmStart < 4 * sizes.e2eDrainSeconds * 1000 && warmUp.some((p) => !p.failed && (p.watchlistAt === undefined || p.feedAt === undefined))) await sleep(100);
    const arrived = warmUp.filter((p) => p.watchlistAt !== undefined && p.feedAt !== undefined).length;
    ctx.detail('e2e.warmUp', { probes: warmUp.length, arrived, seconds: (nowMs() - warmStart) / 1000 });
    say(`e2e: warm-up: ${arrived} of ${warmUp.length} probes through in ${((nowMs() - warmStart) / 1000).toFixed(1)} s`);
    for (const p of warmUp) byEntry.delete(p.entryId);
    let backlog = await drain();
    // What the stack costs with nothing to do: polling, heartbeats, fetch waits, timers.
    const idleBefore = cpuNow();
    await sleep(IDLE_SECONDS * 1000);
    const idleAfter = cpuNow();
    const idleCores = Object.fromEntries(Object.entries(cpuUsed(idleBefore, idleAfter)).map(([name, seconds]) => [name, seconds / IDLE_SECONDS]));
    const idleTotal = Object.values(idleCores).reduce((a, b) => a + b, 0);
    ctx.detail('e2e.idleCpu', { seconds: IDLE_SECONDS, coresBusy: idleTotal, byGroup: idleCores });
    say(`e2e: idle for ${IDLE_SECONDS} s: ${idleTotal.toFixed(2)} cores busy (${Object.entries(idleCores).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')})`);
    ctx.profileMark('e2e', 'from');
    if (measureLatency) {
      // Up by the factor while sustainable; when the first rate is not, down until one is.
      let direction: 1 | -1 | 0 = 0;
      for (let i = 0, rate = sizes.e2eStartRate; i < sizes.e2eMaxSteps; i++) {
        const s = await step(rate, sizes.e2eStepSeconds, backlog);
        steps.push(s);
        search.push(s);
        backlog = await drain();
        if (s.sustainable) best = best && best.rate > s.rate ? best : s;
        if (direction === 0) direction = s.sustainable ? 1 : -1;
        if (s.sustainable !== (direction === 1)) break;
        const next = direction === 1 ? Math.round(rate * sizes.e2eRateFactor) : Math.floor(rate / sizes.e2eRateFactor);
        if (next < 1 || next === rate) break;
        rate = next;
      }
      for (const rate of sizes.e2eRates) {
        steps.push(await step(rate, sizes.e2eStepSeconds, backlog));
        if (rate !== sizes.e2eRates[sizes.e2eRates.length - 1]) backlog = await drain();
      }
    } else {
      steps.push(await step(sizes.e2eRates[0], sizes.e2eStepSeconds, backlog));
    }
  } finally {
    ctx.profileMark('e2e', 'to');
  }

  ctx.detail('e2e.steps', steps);
  ctx.detail('e2e.method', `background load appended in-process to the police store with EventStore.append (one suspect's first ${sizes.e2eEventsPerAppend} events per call, on its own stream, up to ${LOAD_IN_FLIGHT} calls in flight) plus ${sizes.e2eProbeRate} HTTP POST /suspects probes/s whose latency is measured; a probe's watchlist row announced by a NOTIFY from a trigger the bench adds to its immigration database, delivered at the commit that makes the row visible; SSE arrival timed in the bench process`);
  if (measureLatency) {
    for (const rate of sizes.e2eRates) {
      const s = steps.filter((x) => x.rate === rate).at(-1)!;
      ctx.figure(latencyFigure(s, 'watchlist', `command to immigration's watchlist row at ${rate} events/s`, rate >= 1000));
      ctx.figure(latencyFigure(s, 'feed', `command to the console's live feed (SSE) at ${rate} events/s`, rate >= 1000));
    }
    ctx.figure({
      bench: 'e2e',
      name: 'highest sustainable rate (background appends + probes)',
      unit: 'events/s',
      value: best?.rate ?? null,
      note: best
        ? `there p99 watchlist ${best.watchlist.p99?.toFixed(0)} ms, feed ${best.feed.p99?.toFixed(0)} ms; the next step up: ${steps.find((x) => x.rate > best!.rate && !x.sustainable)?.why.join('; ') ?? 'not reached'}`
        : `none of ${search.map((x) => `${x.rate}/s`).join(', ')}; at ${search.at(-1)?.rate}/s: ${search.at(-1)?.why.join('; ')}`,
    });
  }
  if (measureMemory) {
    ctx.detail('memory', memory);
    for (const [name, m] of Object.entries(memory)) {
      ctx.figure({ bench: 'memory', name: `RSS of ${name}: under load (idle ${m.idle?.toFixed(0)} MiB after start)`, unit: 'MiB', value: m.loaded, note: `load: ${steps.map((s) => `${s.rate}/s`).join(', ')}` });
    }
  }
}

/** CPU ms per event of each process group between two readings of cpuByGroup, and how many cores were busy in all. */
function cpuPerEvent(before: Record<string, number>, after: Record<string, number>, events: number, seconds: number): StepResult['cpu'] {
  const used = cpuUsed(before, after);
  const total = Object.values(used).reduce((a, b) => a + b, 0);
  return { msPerEvent: cpuMsPer(used, events), coresBusy: total / seconds };
}

const STAGES = ['recorded', 'relayed', 'received', 'decided', 'projected'] as const;
/**
 * A probe's latency to the watchlist split at the timestamps the databases and Kafka keep:
 * `recorded`, from the command to its police event's insert (HTTP, validation, sealing, append);
 * `relayed`, to the time the police relay's producer stamped on the message to immigration (the
 * relay's wake-up, read, chain, signature); `received`, to the start of immigration's consumer
 * transaction that applied it (the produce request, the fetch, decoding and signature checks, the
 * wait for its data key); `decided`, to the insert of the watchlist entry's event in immigration's
 * log (opening, the policy); `projected`, from there to the row the bench saw (commit,
 * immigration's projection, the bench's poll).
 */
type StageTimes = Record<(typeof STAGES)[number], Distribution>;

/**
 * The time the producer stamped on each message of `topic` whose event id is in `ids` (CreateTime:
 * the relay's clock when it sent it), read with a group of its own up to the current end.
 */
async function sendTimes(kafka: Kafka, admin: Admin, topic: string, group: string, ids: Set<string>): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.high) > 0).map((p) => [p.partition, BigInt(p.high)]));
  if (ends.size === 0) return times;
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const id = message.value ? (JSON.parse(message.value.toString('utf8')) as { id?: string }).id : undefined;
          if (id && ids.has(id)) times.set(id, Number(message.timestamp));
          if (BigInt(message.offset) + 1n >= (ends.get(batch.partition) ?? 0n)) ends.delete(batch.partition);
        }
        if (ends.size === 0) done();
      },
    });
    await Promise.race([finished, sleep(30_000)]);
  } finally {
    await consumer.disconnect();
  }
  return times;
}

async function stageTimes(probes: Probe[], police: DataSource, immigration: Client, consumer: string, sent: (ids: Set<string>) => Promise<Map<string, number>>): Promise<StageTimes> {
  const done = probes.filter((p) => p.watchlistAt !== undefined);
  const recorded: { stream_id: string; id: string; at: number }[] = await police.query(
    `SELECT stream_id, id::text, extract(epoch FROM recorded_at) * 1000 AS at FROM interlink.events WHERE stream_id = ANY($1) AND stream_version = 1`,
    [done.map((p) => `suspect-${p.suspectId}`)],
  );
  const byStream = new Map(recorded.map((r) => [r.stream_id, r]));
  const received = new Map<string, number>(
    (
      await immigration.query(`SELECT event_id::text, extract(epoch FROM received_at) * 1000 AS at FROM interlink.inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [
        consumer,
        recorded.map((r) => r.id),
      ])
    ).rows.map((r: { event_id: string; at: number }) => [r.event_id, Number(r.at)]),
  );
  const decided = new Map<string, number>(
    (
      await immigration.query(`SELECT stream_id, extract(epoch FROM recorded_at) * 1000 AS at FROM interlink.events WHERE stream_id = ANY($1) AND stream_version = 1`, [
        done.map((p) => watchlistStream(p.entryId)),
      ])
    ).rows.map((r: { stream_id: string; at: number }) => [r.stream_id, Number(r.at)]),
  );
  const relayed = await sent(new Set(recorded.map((r) => r.id)));
  const parts: Record<(typeof STAGES)[number], number[]> = { recorded: [], relayed: [], received: [], decided: [], projected: [] };
  for (const p of done) {
    const police = byStream.get(`suspect-${p.suspectId}`);
    const got = police && received.get(police.id);
    const stamped = police && relayed.get(police.id);
    const entry = decided.get(watchlistStream(p.entryId));
    if (!police || got === undefined || stamped === undefined || entry === undefined) continue;
    const seen = p.sentWall + (p.watchlistAt! - p.sentAt);
    const at = Number(police.at);
    parts.recorded.push(at - p.sentWall);
    parts.relayed.push(stamped - at);
    parts.received.push(got - stamped);
    parts.decided.push(entry - got);
    parts.projected.push(seen - entry);
  }
  return Object.fromEntries(STAGES.map((stage) => [stage, distribution(parts[stage])])) as StageTimes;
}

function latencyFigure(s: StepResult, path: 'watchlist' | 'feed', name: string, judged: boolean): Figure {
  const d = s[path];
  return {
    bench: 'e2e',
    name: `${name}: p99 (p50 ${d.p50?.toFixed(1)}, p95 ${d.p95?.toFixed(1)})`,
    unit: 'ms',
    value: d.p99,
    samples: d.count,
    ...(judged ? { target: { text: `p99 under ${LATENCY_TARGET_MS} ms`, pass: d.p99 !== null && d.p99 < LATENCY_TARGET_MS && d.lost === 0 } } : {}),
    note: `load ${s.background.achieved.toFixed(0)} of ${s.background.target} events/s appended in-process + ${s.probes} HTTP probe commands; ${d.lost ? `${d.lost} probes lost; ` : ''}${s.sustainable ? 'sustainable' : `not sustainable: ${s.why.join('; ')}`}`,
  };
}
