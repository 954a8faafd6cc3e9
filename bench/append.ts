// Append: events/s into the police store, (a) in batches in-process through EventStore.append
// and (b) one command at a time over HTTP through the police service, each against plain INSERTs
// of the same rows into a table of the same shape. Store and plain runs alternate in rounds, so
// that what else the shared machine does falls on both alike.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { Client, ClientBase, Pool } from 'pg';
import { interlinkRegistry } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { BenchContext, costFigure, throughputFigure } from './context';
import { PoliceEvents, suspectContext } from './events';
import { cpuByGroup, cpuMsPer, cpuMsText, cpuUsed, say } from './infra';
import { ROOT } from './options';
import { closedLoop, distribution, secondsSince } from './stats';

const ROUNDS = 4;
const WARM_UP_BATCHES = 10;
const HTTP_WARM_UP_SECONDS = 2;

interface StoredRow {
  id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  envelope: string;
}

/** A table shaped like interlink.events (columns, defaults, indexes), without the store around it. */
async function createPlainTable(db: Client): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS bench`);
  await db.query(`CREATE TABLE IF NOT EXISTS bench.plain_events (LIKE interlink.events INCLUDING ALL)`);
}

/** A transaction that never stays open on failure: an open one would hold back every log reader's snapshot. */
async function inTransaction(db: ClientBase, work: () => Promise<void>): Promise<void> {
  await db.query('BEGIN');
  try {
    await work();
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function insertPlain(db: ClientBase, rows: StoredRow[]): Promise<void> {
  const params: unknown[] = [];
  const values = rows.map((r, i) => {
    params.push(r.id, r.stream_id, r.stream_version, r.type, r.envelope);
    const b = i * 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
  });
  await db.query(`INSERT INTO bench.plain_events (id, stream_id, stream_version, type, envelope) VALUES ${values.join(', ')}`, params);
}

/** The rows the store wrote after `position`, as it wrote them, one batch per stream; and the last position. */
async function storedSince(db: ClientBase, position: string): Promise<{ batches: StoredRow[][]; last: string }> {
  const rows: (StoredRow & { position: string })[] = (
    await db.query(
      `SELECT id::text, stream_id, stream_version, type, envelope::text AS envelope, position::text FROM interlink.events WHERE position > $1 ORDER BY events.position`,
      [position],
    )
  ).rows;
  const byStream = new Map<string, StoredRow[]>();
  for (const { position: _, ...row } of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
  return { batches: [...byStream.values()], last: rows.length ? rows[rows.length - 1].position : position };
}

export async function appendInProcess(ctx: BenchContext): Promise<void> {
  const { appendEvents, appendBatch } = ctx.options.sizes;
  const { run } = ctx;
  const { url, dataSource } = await run.database('append');
  const store = new EventStore(dataSource, interlinkRegistry(), run.ids.police);
  const plain = new Client({ connectionString: url });
  await plain.connect();
  run.defer(() => plain.end());
  await createPlainTable(plain);

  const generator = new PoliceEvents(run.id, run.ids.immigration);
  // Both paths run a few batches untimed first, as the HTTP step warms up: the first calls compile
  // the code and fill caches (and, for the store, prepare its statements on the connection).
  for (let i = 0; i < WARM_UP_BATCHES; i++) await store.append(`police-bench-warm-up-${i}`, 0, generator.events(appendBatch), suspectContext(run.ids));
  const warmUp = await storedSince(plain, '0');
  for (const batch of warmUp.batches) await inTransaction(plain, () => insertPlain(plain, batch));
  const [{ warmUpKeys }] = (await plain.query(`SELECT count(*)::int AS "warmUpKeys" FROM interlink.data_keys`)).rows;
  const batches = Math.ceil(appendEvents / appendBatch);
  const perRound = Math.ceil(batches / ROUNDS);
  let storeSeconds = 0;
  let plainSeconds = 0;
  let stored = 0;
  let lastPosition = warmUp.last;
  say(`append (a): ${appendEvents} events in batches of ${appendBatch}, in ${ROUNDS} rounds alternating EventStore.append and plain INSERTs (after ${WARM_UP_BATCHES} untimed batches of each)`);
  for (let first = 0; first < batches; first += perRound) {
    const round = Array.from({ length: Math.min(perRound, batches - first) }, (_, i) => generator.events(Math.min(appendBatch, appendEvents - (first + i) * appendBatch)));
    let start = process.hrtime.bigint();
    for (const [i, events] of round.entries()) {
      await store.append(`police-bench-${first + i}`, 0, events, suspectContext(run.ids));
      stored += events.length;
    }
    storeSeconds += secondsSince(start);

    // The same rows, as the store wrote them, batch by batch.
    const written = await storedSince(plain, lastPosition);
    lastPosition = written.last;
    start = process.hrtime.bigint();
    for (const batch of written.batches) await inTransaction(plain, () => insertPlain(plain, batch));
    plainSeconds += secondsSince(start);
  }
  const [{ keys }] = (await plain.query(`SELECT count(*)::int - $1 AS keys FROM interlink.data_keys`, [warmUpKeys])).rows;
  ctx.detail('append.inProcess', { events: stored, batch: appendBatch, rounds: ROUNDS, warmUpBatches: WARM_UP_BATCHES, storeSeconds, plainSeconds, dataKeysCreated: keys });
  ctx.figure(
    throughputFigure('append', `EventStore.append in-process, ${appendBatch} events per call, one stream per call (${stored} events)`, stored / storeSeconds, { name: `plain multi-row INSERT per batch, one transaction each`, value: stored / plainSeconds }, 0.5),
  );
}

export async function appendOverHttp(ctx: BenchContext): Promise<void> {
  const { httpSeconds, httpConcurrency } = ctx.options.sizes;
  const { run } = ctx;
  const poolSize = Number(process.env.DB_POOL_SIZE || 10);
  const profileDir = ctx.profileDir('append-http');
  say(`append (b): police service as a child process${profileDir ? ' (under --cpu-prof)' : ''}; POST /suspects at concurrency ${httpConcurrency} for ${httpSeconds} s against single-row INSERTs with a pool of ${poolSize}`);
  const police = await run.startService('police', { name: 'police-http', profileDir });
  const token = run.token('police', ['officer']);
  const generator = new PoliceEvents(`${run.id}h`, run.ids.immigration, 2);
  // node:http over kept-alive connections, one per request in flight: the client shares the two
  // cores with the service, and fetch (undici) took 0.8 ms of CPU a request, more than Postgres's
  // share of a command (`CPU per POST /suspects` below).
  const agent = new Agent({ keepAlive: true, maxSockets: httpConcurrency });
  run.defer(async () => agent.destroy());
  const target = new URL(`${police.url}/suspects`);
  const identify = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ commandId: randomUUID(), person: generator.person(), role: 'recruiter' });
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('error', reject);
          res.on('end', () => (res.statusCode === 201 || res.statusCode === 200 ? resolve() : reject(new Error(`POST /suspects answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const { url } = await run.database('append-http-plain');
  const admin = new Client({ connectionString: url });
  await admin.connect();
  run.defer(() => admin.end());
  await createPlainTable(admin);
  const pool = new Pool({ connectionString: url, max: poolSize });
  run.defer(() => pool.end());

  await closedLoop(httpConcurrency, HTTP_WARM_UP_SECONDS, identify);
  // The rows the plain side inserts: those the service stored during the warm-up.
  const sample = new Client({ connectionString: run.databaseUrl('police-http') });
  await sample.connect();
  const rows: StoredRow[] = (await sample.query(`SELECT stream_id, stream_version, type, envelope::text AS envelope FROM interlink.events ORDER BY position LIMIT 500`)).rows;
  await sample.end();
  let next = 0;
  const insertOne = async () => {
    const row = { ...rows[next++ % rows.length], id: randomUUID() };
    row.stream_id = `plain-${row.id}`;
    const client = await pool.connect();
    try {
      await inTransaction(client, () => insertPlain(client, [row]));
    } finally {
      client.release();
    }
  };
  await closedLoop(httpConcurrency, 1, insertOne);

  const http = { ok: 0, failed: 0, seconds: 0, latencies: [] as number[], errors: {} as Record<string, number> };
  const plain = { ok: 0, failed: 0, seconds: 0, latencies: [] as number[], errors: {} as Record<string, number> };
  const add = (into: typeof http, r: Awaited<ReturnType<typeof closedLoop>>) => {
    into.ok += r.ok;
    into.failed += r.failed;
    into.seconds += r.seconds;
    into.latencies.push(...r.latencies);
    for (const [k, v] of Object.entries(r.errors)) into.errors[k] = (into.errors[k] ?? 0) + v;
  };
  // CPU of each process group while each side runs: what a command costs beside an INSERT.
  const watched = { police: police.pid!, bench: process.pid };
  const cpu = { http: {} as Record<string, number>, plain: {} as Record<string, number> };
  const measured = async <T>(into: Record<string, number>, work: () => Promise<T>): Promise<T> => {
    const before = cpuByGroup(watched);
    const result = await work();
    for (const [group, seconds] of Object.entries(cpuUsed(before, cpuByGroup(watched)))) into[group] = (into[group] ?? 0) + seconds;
    return result;
  };
  ctx.profileMark('append-http', 'from');
  for (let round = 0; round < 2; round++) {
    add(http, await measured(cpu.http, () => closedLoop(httpConcurrency, httpSeconds / 2, identify)));
    add(plain, await measured(cpu.plain, () => closedLoop(httpConcurrency, httpSeconds / 2, insertOne)));
  }
  ctx.profileMark('append-http', 'to');
  const cpuMs = { command: cpuMsPer(cpu.http, http.ok), insert: cpuMsPer(cpu.plain, plain.ok) };
  say(`append (b): CPU ms per command: ${cpuMsText(cpuMs.command)}; per plain INSERT: ${cpuMsText(cpuMs.insert)}`);
  ctx.detail('append.http', {
    concurrency: httpConcurrency,
    poolSize,
    commands: { ok: http.ok, failed: http.failed, errors: http.errors, seconds: http.seconds, latencyMs: distribution(http.latencies) },
    cpuMsPerCall: cpuMs,
    plain: { ok: plain.ok, failed: plain.failed, errors: plain.errors, seconds: plain.seconds, latencyMs: distribution(plain.latencies) },
    serviceLog: path.relative(ROOT, police.logFile),
  });
  const note = http.failed ? `${http.failed} requests failed: ${Object.keys(http.errors).join('; ')}` : undefined;
  ctx.figure(
    throughputFigure('append', `POST /suspects to the police service, ${httpConcurrency} in flight (1 event each)`, http.ok / http.seconds, { name: `plain single-row INSERT, one transaction each, pool of ${poolSize}`, value: plain.ok / plain.seconds }, 0.5, note),
  );
  const total = (ms: Record<string, number>) => Object.values(ms).reduce((a, b) => a + b, 0);
  ctx.figure(
    costFigure(
      'append',
      'CPU per POST /suspects, every process (police service, Postgres, Kafka, the bench as client)',
      'ms',
      total(cpuMs.command),
      { name: 'CPU per plain INSERT transaction', value: total(cpuMs.insert) },
      `per command: ${cpuMsText(cpuMs.command)}; per INSERT: ${cpuMsText(cpuMs.insert)}`,
    ),
  );
  const latency = distribution(http.latencies);
  ctx.figure({ bench: 'append', name: `POST /suspects latency p50 / p99 at ${httpConcurrency} in flight`, unit: 'ms', value: latency.p50, samples: latency.count, note: `p99 ${latency.p99?.toFixed(1)} ms` });
  if (profileDir) await police.stop();
}
