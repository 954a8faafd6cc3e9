// `npm run test:faults`: the promises under failure. Starts its own Kafka broker (behind a TCP
// proxy it controls) and its own Postgres cluster, the three agency services and the audit
// service as child processes, drives them at a steady rate while it kills the broker, restarts
// Postgres, kills a service, stalls a consumer past its session timeout, delays and cuts the
// broker's connections and re-publishes delivered messages out of order; then checks that nothing
// accepted was lost or applied twice, that every log verifies, and that the ministry's figures are
// those of its history. Loopback only; bounded in time; exit 1 when a check fails.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { topicFor } from '@interlink/contracts';
import { devIssuer, issueToken, loadOrCreateDevKey } from '@interlink/security';
import { Agency, Checker } from './checks';
import { FaultName, ROOT, faultEnabled, faultsConfig } from './config';
import { Broker, PostgresCluster } from './infra';
import { Injection, injectDuplicates, suiteKafka } from './kafka-tools';
import { LoadGenerator, prng } from './load';
import { ReadinessMonitor } from './monitor';
import { TcpProxy } from './proxy';
import { Recovery, RecoveryTracker } from './recovery';
import { FaultRecord, FaultsReport, printReport, writeReport } from './report';
import { AgencyRole, ServiceProcess, freePort, portTaken, waitHealthy } from './services';

const say = (line: string) => console.log(`[faults ${new Date().toISOString().slice(11, 23)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fault {
  name: FaultName;
  /** seconds after the load starts */
  at: number;
  what: string;
  inject: () => Promise<Record<string, unknown> | void>;
}

/** What to undo at the end, last first: services, broker, proxy, cluster. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e: Error) => say(`cleanup: ${e.message}`));
}

async function main(): Promise<number> {
  const config = faultsConfig();
  const wallStart = Date.now();
  const run = randomBytes(3).toString('hex');
  const logDir = path.join(config.outDir, 'logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const nodes = Array.from({ length: config.kafkaNodes }, (_, i) => ({ id: i + 1, port: config.kafkaPort + 2 * i, controller: config.kafkaControllerPort + 2 * i, proxy: config.kafkaProxyPort + 2 * i }));
  say(`run ${run} (${config.scenario}): ${config.rate} commands/s for ${config.durationS} s; own Kafka ${nodes.length === 1 ? 'broker' : `cluster of ${nodes.length} nodes`} on 127.0.0.1:${nodes.map((n) => n.port).join(',')} behind proxies :${nodes.map((n) => n.proxy).join(',')}; own Postgres cluster ${config.pgCluster} on :${config.pgPort}; logs in ${path.relative(ROOT, logDir)}`);

  // A broker left behind by an interrupted run (same data dir) is stopped; anything else on the ports is not ours.
  await new Broker(config).stop().catch(() => undefined);
  for (const port of nodes.flatMap((n) => [n.port, n.controller, n.proxy])) {
    if (await portTaken(port)) throw new Error(`port ${port} is taken: another fault run, or choose FAULTS_KAFKA_PORT / FAULTS_KAFKA_CONTROLLER_PORT / FAULTS_KAFKA_PROXY_PORT`);
  }

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('interrupted: stopping everything');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const report: Partial<FaultsReport> = {
    startedAt: new Date(wallStart).toISOString(),
    settings: { scenario: config.scenario, kafkaNodes: config.kafkaNodes, immigrationReplicas: config.immigrationReplicas, rate: config.rate, durationS: config.durationS, sequential: config.sequential, maxInFlight: config.maxInFlight, ministryReplicas: config.ministryReplicas, sessionTimeoutMs: config.sessionTimeoutMs, stallMs: config.stallMs, duplicatesPerTopic: config.duplicatesPerTopic, faults: config.only, seed: config.seed, run },
    faults: [],
    checks: [],
    logs: path.relative(ROOT, logDir),
  };

  try {
    // --- infrastructure -------------------------------------------------------------------
    const pg = new PostgresCluster(config);
    say(`Postgres: cluster ${pg.version}/${config.pgCluster} on 127.0.0.1:${config.pgPort}`);
    await pg.ensure();
    if (!config.keep) cleanups.push(() => pg.remove());

    // One proxy per node: each node advertises its proxy, so every client connection goes through one.
    const proxies = nodes.map((n) => new TcpProxy(n.proxy, n.port));
    for (const proxy of proxies) {
      await proxy.start();
      cleanups.push(() => proxy.stop());
    }

    const broker = new Broker(config);
    say(`Kafka: starting a fresh ${nodes.length === 1 ? 'broker' : `${nodes.length}-node cluster`} in ${path.relative(ROOT, config.kafkaDataDir)}`);
    await broker.startFresh();
    cleanups.push(() => (config.keep ? broker.stop() : broker.remove()));

    // --- services -----------------------------------------------------------------------
    const ids = { police: `f${run}-police`, immigration: `f${run}-immigration`, 'foreign-ministry': `f${run}-foreign-ministry`, audit: `f${run}-audit`, 'task-force': `f${run}-task-force` };
    const db = (role: string) => `faults_${run}_${role.replace(/-/g, '_')}`;
    const databases = ['police', 'immigration', 'foreign-ministry', 'audit'].map(db);
    // A cluster of its own goes as a whole; on the shared one, the run's databases go.
    if (config.pgCluster === 'main' && !config.keep) cleanups.push(() => pg.dropDatabases(databases));
    const keysDir = mkdtempSync(path.join(tmpdir(), 'interlink-faults-keys-'));
    cleanups.push(async () => rmSync(keysDir, { recursive: true, force: true }));
    // Keys made before the services start, so that two replicas of one agency do not both make one.
    for (const role of ['police', 'immigration', 'foreign-ministry'] as const) loadOrCreateDevKey(keysDir, ids[role]);
    const issuer = devIssuer(keysDir);
    const brokers = nodes.map((n) => `127.0.0.1:${n.proxy}`).join(',');
    const shared: Record<string, string> = {
      POLICE_AGENCY_ID: ids.police,
      IMMIGRATION_AGENCY_ID: ids.immigration,
      FOREIGN_MINISTRY_AGENCY_ID: ids['foreign-ministry'],
      AUDIT_AGENCY_ID: ids.audit,
      TASK_FORCE_AGENCY_ID: ids['task-force'],
      KAFKA_BROKERS: brokers,
      KEYS_DIR: keysDir,
      TRUSTED_KEYS_DIR: keysDir,
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_BURST: '100000',
      CONSUMER_SESSION_TIMEOUT_MS: String(config.sessionTimeoutMs),
      HOST: '127.0.0.1',
    };
    const services: ServiceProcess[] = [];
    const make = async (role: AgencyRole | 'audit', name: string) => {
      const port = await freePort();
      const env = { ...shared, AGENCY_ID: ids[role], DATABASE_URL: pg.databaseUrl(db(role)) };
      const s = new ServiceProcess(role, name, port, env, path.join(logDir, `${name.replace('#', '-')}.log`));
      services.push(s);
      return s;
    };
    const police = await make('police', 'police');
    const immigrations: ServiceProcess[] = [];
    for (let i = 1; i <= config.immigrationReplicas; i++) immigrations.push(await make('immigration', i === 1 ? 'immigration' : `immigration#${i}`));
    const [immigration] = immigrations;
    const ministries: ServiceProcess[] = [];
    for (let i = 1; i <= config.ministryReplicas; i++) ministries.push(await make('foreign-ministry', i === 1 ? 'foreign-ministry' : `foreign-ministry#${i}`));
    const audit = await make('audit', 'audit');
    cleanups.push(async () => {
      await Promise.all(services.map((s) => s.stop()));
      services.forEach((s) => s.closeLog());
    });
    const bootStart = Date.now();
    // The first replica creates and migrates the database; the others follow.
    for (const s of [police, immigration, ministries[0], audit]) s.start();
    await Promise.all([police, immigration, ministries[0]].map((s) => waitHealthy(s, '/health/ready', 240_000)).concat(waitHealthy(audit, '/health', 240_000)));
    const replicas = [...immigrations.slice(1), ...ministries.slice(1)];
    for (const s of replicas) s.start();
    await Promise.all(replicas.map((s) => waitHealthy(s, '/health/ready', 240_000)));
    say(`services ready in ${((Date.now() - bootStart) / 1000).toFixed(0)} s: ${services.map((s) => `${s.name} :${s.port}`).join(', ')}`);

    const tokens = {
      police: issueToken(issuer, { sub: 'faults-load', agency: ids.police, roles: ['officer', 'analyst'] }),
      immigration: issueToken(issuer, { sub: 'faults-load', agency: ids.immigration, roles: ['officer', 'analyst'] }),
      'foreign-ministry': issueToken(issuer, { sub: 'faults-load', agency: ids['foreign-ministry'], roles: ['officer', 'analyst'] }),
    };
    const auditToken = issueToken(issuer, { sub: 'faults-auditor', agency: ids.audit, roles: ['auditor'] });

    const kafka: Kafka = suiteKafka(brokers.split(","));
    const admin: Admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());

    // --- load and faults ----------------------------------------------------------------
    const load = new LoadGenerator({
      rate: config.rate,
      durationS: config.durationS,
      requestTimeoutMs: config.requestTimeoutMs,
      maxInFlight: config.maxInFlight,
      endpoints: { police: [police], immigration: immigrations, 'foreign-ministry': ministries },
      tokens,
      immigrationDbUrl: pg.databaseUrl(db('immigration')),
      ministryDbUrl: pg.databaseUrl(db('foreign-ministry')),
      runTag: run,
      seed: config.seed,
      log: say,
    });
    const monitor = new ReadinessMonitor(() => services, () => load.now());
    const random = prng(config.seed + 1);
    const injections: Injection[] = [];
    const agencies: Agency[] = (['police', 'immigration', 'foreign-ministry'] as const).map((role) => ({ role, id: ids[role], dbUrl: pg.databaseUrl(db(role)), consumer: `${ids[role]}-policies` }));
    const duplicateTargets = () => {
      const targets: { topic: string; groupId: string }[] = [];
      for (const from of agencies) {
        for (const to of agencies) if (to !== from) targets.push({ topic: topicFor(from.id, to.id), groupId: to.consumer });
        targets.push({ topic: topicFor(from.id, ids.audit), groupId: `${ids.audit}-archive` });
      }
      return targets;
    };
    const stalled = ministries[ministries.length - 1];
    // In a cluster one node dies and the others carry on; a single broker comes back at once.
    const killedNode = nodes.length > 1 ? 2 : undefined;
    const killedImmigration = immigrations[immigrations.length - 1];
    const D = config.durationS;
    const faults: Fault[] = [
      {
        name: 'kafka-kill', at: (killedNode ? 0.3 : 0.74) * D,
        what: killedNode ? `node ${killedNode} of ${nodes.length} SIGKILLed, started again ${config.nodeDownS} s later` : 'broker SIGKILLed, restarted 1 s later',
        inject: async () => {
          await broker.kill(killedNode);
          await sleep(killedNode ? config.nodeDownS * 1000 : 1000);
          await broker.start();
        },
      },
      {
        name: 'duplicates', at: 0.03 * D, what: `delivered messages re-published, shuffled (${config.duplicatesPerTopic} per topic)`,
        inject: async () => {
          const done = await injectDuplicates(kafka, admin, duplicateTargets(), config.duplicatesPerTopic, random);
          injections.push({ at: load.now(), ...done });
          return { copies: done.total };
        },
      },
      {
        name: 'proxy-delay', at: 0.1 * D, what: 'every broker connection delayed 300 ms each way for 4 s',
        inject: async () => {
          proxies.forEach((p) => p.setDelay(300));
          await sleep(4000);
          proxies.forEach((p) => p.setDelay(0));
        },
      },
      {
        name: 'proxy-drop', at: 0.2 * D, what: 'every broker connection reset, new ones refused for 3 s',
        inject: async () => {
          const dropped = proxies.reduce((n, p) => n + p.dropAll(3000), 0);
          await sleep(3000);
          return { dropped };
        },
      },
      {
        name: 'postgres-restart', at: 0.32 * D, what: `pg_ctlcluster restart of ${pg.version}/${config.pgCluster}`,
        inject: async () => {
          await pg.restart();
        },
      },
      {
        name: 'service-kill', at: (killedNode ? 0.6 : 0.56) * D,
        what: `${killedImmigration.name} SIGKILLed and started again${immigrations.length > 1 ? ` (${immigrations.length - 1} other instance(s) carry on)` : ''}`,
        inject: async () => {
          await killedImmigration.kill();
          killedImmigration.start();
        },
      },
      {
        name: 'consumer-stall', at: 0.42 * D, what: `${stalled.name} SIGSTOPped ${(config.stallMs / 1000).toFixed(0)} s (session timeout ${config.sessionTimeoutMs / 1000} s), then SIGCONT`,
        inject: async () => {
          stalled.pause();
          await sleep(config.stallMs);
          stalled.resume();
        },
      },
      {
        name: 'duplicates', at: 0.96 * D, what: `delivered messages re-published, shuffled (${config.duplicatesPerTopic} per topic)`,
        inject: async () => {
          const done = await injectDuplicates(kafka, admin, duplicateTargets(), config.duplicatesPerTopic, random);
          injections.push({ at: load.now(), ...done });
          return { copies: done.total };
        },
      },
    ]
      .filter((f) => faultEnabled(config, f.name as FaultName))
      .sort((a, b) => a.at - b.at) as Fault[];

    say(`load starts; faults at ${faults.map((f) => `${f.name} ${f.at.toFixed(1)} s`).join(', ') || 'none'}`);
    let faultsDone = false;
    const loading = load.run(() => config.sequential && !faultsDone);
    monitor.start();
    const records: FaultRecord[] = [];
    const tracker = new RecoveryTracker(
      {
        agencies,
        groups: [
          ...agencies.map((a) => ({ groupId: a.consumer, topics: agencies.filter((p) => p !== a).map((p) => topicFor(p.id, a.id)) })),
          { groupId: `${ids.audit}-archive`, topics: agencies.map((a) => topicFor(a.id, ids.audit)) },
        ],
      },
      admin,
      monitor,
      () => load.now(),
      config.recoveryTimeoutS * 1000,
    );
    cleanups.push(() => tracker.close());
    const recoveries: Promise<Recovery>[] = [];
    // A recovery that runs into later faults is given until the recovery timeout after the last of them.
    let lastFaultEnd = 0;
    let faultsInjected = false;
    const faulting = (async () => {
      for (const fault of faults) {
        if (config.sequential && recoveries.length > 0) await recoveries[recoveries.length - 1];
        const wait = fault.at * 1000 - load.now();
        if (wait > 0) await sleep(wait);
        const record: FaultRecord = { name: fault.name, what: fault.what, start: load.now(), end: 0, recoveryMs: null, readyMs: null, publishedMs: null, lagZeroMs: null };
        say(`fault ${fault.name}: ${fault.what}`);
        try {
          const detail = await fault.inject();
          if (detail) record.detail = detail;
        } catch (error) {
          record.error = (error as Error).message;
          say(`fault ${fault.name} failed: ${record.error}`);
        }
        record.end = load.now();
        say(`fault ${fault.name} over after ${((record.end - record.start) / 1000).toFixed(1)} s; in flight ${load.inFlight}`);
        records.push(record);
        const end = record.end;
        lastFaultEnd = end;
        if (fault === faults[faults.length - 1]) faultsInjected = true;
        recoveries.push(
          tracker.measure(end, config.sequential ? () => end : () => (faultsInjected ? lastFaultEnd : Number.POSITIVE_INFINITY)).then((r) => {
            say(`recovered from ${fault.name} (${(end / 1000).toFixed(1)} s) after ${r.caughtUpMs === null ? 'never' : `${(r.caughtUpMs / 1000).toFixed(1)} s`} (ready ${r.readyMs} ms, published ${r.publishedMs} ms)`);
            return r;
          }),
        );
      }
      if (config.sequential) await recoveries[recoveries.length - 1];
      faultsDone = true;
    })();
    const progress = setInterval(() => {
      const last = monitor.samples[monitor.samples.length - 1];
      const st = load.stats();
      say(`t=${(load.now() / 1000).toFixed(0)} s issued ${st.issued}, accepted ${st.acked}, waiting ${load.inFlight} (${load.queued} in line), lag ${last?.totalLag ?? '?'}, ready ${last ? Object.entries(last.services).map(([n, v]) => `${n}:${v.status}${v.down ? ` (${v.down.slice(0, 120)})` : ''}`).join(' ') : '?'}`);
    }, 5000);
    cleanups.push(async () => clearInterval(progress));
    await loading;
    await faulting;
    say(`load over: ${load.commands.length} commands issued; waiting for the ${load.inFlight} in flight`);
    await load.settle(config.giveUpS);
    const measured = await Promise.all(recoveries);

    // --- drain: every relay published its whole log, every consumer caught up, the archive complete ---
    say('draining: relays, consumers and the audit archive catching up');
    const drainDeadline = Date.now() + config.drainTimeoutS * 1000;
    let drained = false;
    let lastState = '';
    while (Date.now() < drainDeadline) {
      const sample = monitor.samples[monitor.samples.length - 1];
      const state = await drainState(agencies, pg.databaseUrl(db('audit')));
      lastState = `${state.detail}; services ${sample && sample.allReady ? 'ready' : 'not all ready'}, lag ${sample?.totalLag}`;
      if (state.done && sample && sample.allReady && sample.totalLag === 0 && sample.t > load.now() - 1500) {
        drained = true;
        break;
      }
      await sleep(1000);
    }
    clearInterval(progress);
    await monitor.stop();
    say(drained ? `drained: ${lastState}` : `did not drain within ${config.drainTimeoutS} s: ${lastState}`);

    // --- recovery per fault ---------------------------------------------------------------
    for (const [i, r] of records.entries()) {
      const zero = monitor.recoveredAt(r.end, 0);
      r.lagZeroMs = zero ? Math.round(zero.t - r.end) : null;
      r.recoveryMs = measured[i].caughtUpMs;
      r.readyMs = measured[i].readyMs;
      r.publishedMs = measured[i].publishedMs;
      const next = records[i + 1];
      if (next && (r.recoveryMs === null || r.end + r.recoveryMs > next.start)) r.overlapped = `not recovered before ${next.name} began at ${(next.start / 1000).toFixed(1)} s`;
    }
    report.faults = records;

    // --- checks ---------------------------------------------------------------------------
    const checker = new Checker(agencies, { id: ids.audit, url: audit.url, token: auditToken }, load.commands, injections, kafka, admin, { url: ministries[0].url, token: tokens['foreign-ministry'] });
    if (!drained) checker.results.push({ name: 'the network drained after the load', ok: false, detail: lastState });
    for (const r of records) {
      checker.results.push({
        name: `recovered from ${r.name} (${(r.start / 1000).toFixed(1)} s)`,
        ok: r.recoveryMs !== null && !r.error,
        detail: r.error
          ? `the fault itself failed: ${r.error}`
          : r.recoveryMs === null
            ? `not recovered within ${config.recoveryTimeoutS} s of this or any later fault's end (ready after ${r.readyMs} ms, backlog published after ${r.publishedMs} ms)`
            : `${(r.recoveryMs / 1000).toFixed(1)} s`,
      });
    }
    say('checking');
    await checker.run();
    const eventsStored: Record<string, number> = {};
    for (const a of agencies) eventsStored[a.role] = await countEvents(a.dbUrl);
    report.load = load.stats();
    report.deliveries = { ...checker.counts, eventsStored, duplicatesInjected: injections.reduce((n, i) => n + i.total, 0) };
    report.timeline = monitor.samples.map((x) => ({ t: Number((x.t / 1000).toFixed(1)), status: Object.fromEntries(Object.entries(x.services).map(([n, v]) => [n, v.status])), lag: x.totalLag }));
    report.maxLag = { lag: monitor.maxLag.lag, atSecond: monitor.maxLag.t / 1000, service: monitor.maxLag.service };
    report.checks = checker.results;
    report.ok = checker.results.every((c) => c.ok);
  } catch (error) {
    report.ok = false;
    report.error = (error as Error).stack ?? String(error);
    say(`error: ${(error as Error).message}`);
  } finally {
    say('stopping the services, the broker and the cluster');
    await cleanup();
  }
  report.wallSeconds = (Date.now() - wallStart) / 1000;
  const full = report as FaultsReport;
  full.load ??= { issued: 0, acked: 0, refused: 0, abandoned: 0, replayedAcks: 0, attempts: 0, retried: 0, errors: {}, byKind: { suspect: 0, role: 0, crossing: 0, case: 0 }, issueSeconds: 0, achievedRate: 0, ackedDuringLoad: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 }, matchingCrossings: 0, matchingSuspects: 0, maxQueued: 0 };
  full.deliveries ??= { topics: {}, applied: {}, skipped: 0, lost: 0, auditDuplicates: {}, eventsStored: {}, duplicatesInjected: 0 };
  full.maxLag ??= { lag: 0, atSecond: 0, service: '' };
  full.timeline ??= [];
  printReport(full, (line) => console.log(line));
  writeReport(config.reportFile, full);
  console.log(`  report     ${path.relative(ROOT, config.reportFile)}`);
  return full.ok ? 0 : 1;
}

async function countEvents(url: string): Promise<number> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(`SELECT count(*)::int AS n FROM interlink.events`)).rows[0].n;
  } finally {
    await db.end();
  }
}

/** Whether every relay has published its whole log and the auditors archived all of it. */
async function drainState(agencies: Agency[], auditDbUrl: string): Promise<{ done: boolean; detail: string }> {
  const parts: string[] = [];
  let done = true;
  try {
    const archive = new Client({ connectionString: auditDbUrl });
    await archive.connect();
    let archived: Map<string, number>;
    try {
      archived = new Map(((await archive.query(`SELECT agency, count(DISTINCT sequence)::int AS n FROM audit.archive GROUP BY agency`)).rows as { agency: string; n: number }[]).map((r) => [r.agency, r.n]));
    } finally {
      await archive.end();
    }
    for (const a of agencies) {
      const db = new Client({ connectionString: a.dbUrl });
      await db.connect();
      try {
        const events = (await db.query(`SELECT count(*)::int AS n FROM interlink.events`)).rows[0].n as number;
        const published = Number((await db.query(`SELECT coalesce(max(sequence), 0)::int AS n FROM interlink.relay_checkpoints`)).rows[0].n);
        const inArchive = archived.get(a.id) ?? 0;
        if (published !== events || inArchive !== events) done = false;
        parts.push(`${a.role} ${events} stored/${published} published/${inArchive} archived`);
      } finally {
        await db.end();
      }
    }
  } catch (error) {
    return { done: false, detail: `database not answering: ${(error as Error).message}` };
  }
  return { done, detail: parts.join(', ') };
}

const watchdogS = Number(process.env.FAULTS_TIMEOUT_S || 900);
const watchdog = setTimeout(() => {
  console.error(`[faults] gave up after ${watchdogS} s (FAULTS_TIMEOUT_S); stopping everything`);
  setTimeout(() => process.exit(2), 60_000).unref();
  void cleanup().then(() => process.exit(2));
}, watchdogS * 1000);
watchdog.unref();

main()
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(`[faults] ${error.stack ?? error.message}`);
    process.exit(1);
  });
