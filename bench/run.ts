// `npm run bench`: the numbers to beat. Runs the selected benchmarks on the local broker and
// Postgres with resources of its own (see infra.ts), prints each figure beside its baseline, and
// writes results.json and results.md. `npm run bench -- --help` lists the options.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testServerUrl } from '@interlink/testing';
import { appendInProcess, appendOverHttp } from './append';
import { BenchContext } from './context';
import { endToEnd } from './e2e';
import { BenchRun, say, settleServer } from './infra';
import { BENCHES, Bench, BenchOptions, ROOT, SERVICE_KNOBS, UsageError, helpText, parseOptions } from './options';
import { summariseProfiles } from './profile';
import { relayBench } from './relay';
import { replayBench } from './replay';
import { Results, figureLine, formatNumber, writeResults } from './report';
import { verifyBench } from './verify';

/** The local brokers' versions, from their processes' class paths (`kafka-<version>/libs` or `kafka_<scala>-<version>.jar`). */
function kafkaVersion(): string {
  const versions = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('kafka.Kafka')) continue;
      const match = /\/kafka-(\d[\d.]*)\/libs\/|kafka_[\d.]+-(\d[\d.]*)\.jar/.exec(cmdline);
      if (match) versions.add(match[1] ?? match[2]);
    } catch {
      // a process that ended meanwhile
    }
  }
  return versions.size ? [...versions].join(', ') : 'unknown (no local broker process)';
}

async function machine(): Promise<Record<string, unknown>> {
  const db = new Client({ connectionString: testServerUrl() });
  await db.connect();
  const [{ server_version }] = (await db.query('SHOW server_version')).rows;
  await db.end();
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: server_version,
    kafka: kafkaVersion(),
    loadAverageStart: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

const STEPS: { bench: Bench; run: (ctx: BenchContext) => Promise<void> }[] = [
  { bench: 'append', run: appendInProcess },
  { bench: 'append', run: appendOverHttp },
  { bench: 'relay', run: relayBench },
  { bench: 'replay', run: replayBench },
  { bench: 'verify', run: verifyBench },
];

async function main(options: BenchOptions): Promise<number> {
  const started = Date.now();
  execFileSync('bash', [path.join(ROOT, 'deploy/local/up.sh')], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
  const run = new BenchRun(options.workDir, options.statementCache);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('interrupted: stopping the services, dropping the databases, deleting the topics');
    void run.cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: Results = {
    date: new Date(started).toISOString(),
    scale: options.scale,
    only: options.only,
    machine: await machine(),
    settings: { sizes: options.sizes, services: Object.fromEntries(SERVICE_KNOBS.filter((k) => process.env[k]).map((k) => [k, process.env[k]!])) },
    figures: [],
    details: {},
    failures: [],
    profiles: [],
    durationSeconds: 0,
  };
  say(`run ${run.id}: ${options.only.join(', ')} at scale ${options.scale}; agencies b${run.id}-*, databases bench_${run.id}_*; logs in ${path.relative(ROOT, run.logDir)}`);
  const profileRoot = path.join(options.workDir, 'profiles', run.id);
  const windows: Record<string, { fromUs: number; toUs: number }> = {};
  const ctx: BenchContext = {
    run,
    options,
    figure(f) {
      results.figures.push(f);
      say(figureLine(f));
    },
    detail(key, value) {
      const details = results.details as Record<string, unknown>;
      const [bench, ...rest] = key.split('.');
      if (rest.length === 0) details[bench] = value;
      else ((details[bench] ??= {}) as Record<string, unknown>)[rest.join('.')] = value;
    },
    profileDir: (what) => (options.profile ? path.join(profileRoot, what) : undefined),
    profileMark(what, edge) {
      (windows[what] ??= { fromUs: 0, toUs: Number.POSITIVE_INFINITY })[edge === 'from' ? 'fromUs' : 'toUs'] = Number(process.hrtime.bigint() / 1000n);
    },
  };
  try {
    say(`before the first step: ${await settleServer(options.sizes.settleSeconds)}`);
    const steps = [...STEPS.filter((s) => options.only.includes(s.bench))];
    if (options.only.includes('e2e') || options.only.includes('memory')) steps.push({ bench: options.only.includes('e2e') ? 'e2e' : 'memory', run: endToEnd });
    for (const step of steps) {
      if (interrupted) break;
      const t0 = Date.now();
      const scope = run.beginStep();
      say(`${step.bench} step: agencies ${run.ids.police.replace(/police$/, '*')}`);
      try {
        await step.run(ctx);
      } catch (error) {
        results.failures.push({ bench: step.bench, error: (error as Error).stack ?? String(error) });
        say(`${step.bench} failed: ${(error as Error).message}`);
      }
      const t1 = Date.now();
      const settled = await run.endStep(scope, options.sizes.settleSeconds);
      say(`${step.bench} step took ${((t1 - t0) / 1000).toFixed(0)} s; then ${((Date.now() - t1) / 1000).toFixed(0)} s to clean up: ${settled}`);
    }
  } finally {
    await run.cleanup();
  }
  if (options.profile) {
    for (const what of ['append-http', 'e2e']) results.profiles.push(...summariseProfiles(path.join(profileRoot, what), what, windows[what]));
  }
  results.machine.loadAverageEnd = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  results.durationSeconds = (Date.now() - started) / 1000;
  const files = writeResults(options.outDir, results);
  console.log('');
  for (const f of results.figures) console.log(`  ${figureLine(f)}`);
  for (const p of results.profiles) {
    console.log(`\n  profile ${p.what}: ${formatNumber(p.totalMs)} ms busy`);
    for (const t of p.top) console.log(`    ${t.percent.toFixed(1).padStart(5)}%  ${t.functionName}  ${t.where}`);
  }
  console.log(`\n  ${results.failures.length ? `FAILED to run: ${results.failures.map((f) => f.bench).join(', ')}; ` : ''}took ${results.durationSeconds.toFixed(0)} s; results in ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.md)}`);
  return results.failures.length ? 1 : 0;
}

let options: BenchOptions | 'help';
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench: ${error.message}\nbenchmarks: ${BENCHES.join(', ')}; see npm run bench -- --help`);
  process.exit(2);
}
if (options === 'help') {
  console.log(helpText());
  process.exit(0);
}
main(options)
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  });
