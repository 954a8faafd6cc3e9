// `npm run bench` at tiny sizes, so that the harness cannot rot: it must run the append and relay
// benchmarks on the real broker and Postgres, clean up after itself and write its results. It
// checks what the results hold, never how fast anything was.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runTs, testKafka, testServerUrl } from '@interlink/testing';
import type { Results } from '../../bench/report';

const RUN = path.resolve(__dirname, '../../bench/run.ts');

describe('npm run bench', () => {
  it('refuses a bad argument with exit status 2 and says why', async () => {
    const { code, stderr } = await runTs(RUN, ['--only', 'everything']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--only takes names from append, relay, e2e, replay, verify, memory; unknown: everything/);
  });

  it('measures append and relay beside their baselines, writes the results, and leaves nothing behind', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
    const { code, stdout, stderr } = await runTs(RUN, ['--scale', 'quick', '--only', 'append,relay', '--out', out, '--work-dir', path.join(out, 'work')], {
      BENCH_APPEND_EVENTS: '200',
      BENCH_APPEND_BATCH: '50',
      BENCH_HTTP_SECONDS: '2',
      BENCH_HTTP_CONCURRENCY: '2',
      BENCH_RELAY_EVENTS: '300',
      RELAY_BATCH_SIZE: '50',
      BENCH_SETTLE_SECONDS: '5',
    });
    if (code !== 0) throw new Error(`bench exited ${code}\n${stdout}\n${stderr}`);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(results.failures).toEqual([]);
    expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version, postgres: expect.any(String) });
    const throughput = results.figures.filter((f) => f.unit === 'events/s');
    expect(throughput.map((f) => f.bench)).toEqual(['append', 'append', 'relay']);
    for (const f of throughput) {
      expect(f.value).toBeGreaterThan(0);
      expect(f.baseline?.value).toBeGreaterThan(0);
      expect(f.ratio).toBeCloseTo(f.value! / f.baseline!.value!, 6);
      expect(typeof f.target?.pass).toBe('boolean');
    }
    expect(results.details).toMatchObject({ append: { inProcess: { events: 200 } }, relay: { events: expect.any(Number) } });
    // What a command costs in CPU, process by process, beside a plain INSERT.
    const cpu = results.figures.find((f) => f.name.startsWith('CPU per POST /suspects'));
    expect(cpu).toMatchObject({ unit: 'ms', value: expect.any(Number), baseline: { value: expect.any(Number) } });
    expect(cpu!.value).toBeGreaterThan(0);
    const perCall = (results.details as { append: { http: { cpuMsPerCall: Record<'command' | 'insert', Record<string, number>> } } }).append.http.cpuMsPerCall;
    expect(Object.keys(perCall.command).sort()).toEqual(['bench', 'kafka', 'police', 'postgres']);
    expect(perCall.command.police).toBeGreaterThan(0);
    expect(perCall.insert.postgres).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('| benchmark | figure | value | baseline | baseline value | ratio | target | result |');

    // Each step dropped its own databases when it ended, and the server was settled for the next.
    for (const [bench, databases] of [['append', 1], ['append', 2], ['relay', 1]] as const) {
      expect(stdout).toMatch(new RegExp(`${bench} step took \\d+ s; then \\d+ s to clean up: dropped ${databases} database\\(s\\); checkpoint [\\d.]+ s; (autovacuum quiet|\\d+ autovacuum worker)`));
    }

    // Each step had agencies of its own, so no step's consumers read what an earlier step published.
    const agencies = [...stdout.matchAll(/(\w+) step: agencies (b[0-9a-f]{4}-[\w-]*\*)/g)].map((m) => [m[1], m[2]]);
    expect(agencies.map(([bench]) => bench)).toEqual(['append', 'append', 'relay']);
    expect(new Set(agencies.map(([, prefix]) => prefix)).size).toBe(3);

    // Its databases, topics and groups are gone.
    const run = /run ([0-9a-f]{4}):/.exec(stdout)![1];
    const db = new Client({ connectionString: testServerUrl() });
    await db.connect();
    const left = (await db.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`bench\\_${run}\\_%`])).rows;
    await db.end();
    expect(left).toEqual([]);
    const admin = testKafka().admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(`b${run}-`) || t.startsWith(`bench.${run}.`));
    await admin.disconnect();
    expect(topics).toEqual([]);
  }, 180_000);

  it('measures the rebuild beside readLog, with the CPU an event costs this process and Postgres, opened and left sealed, and the auditors\' replay beside reading the archive', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
    const { code, stdout, stderr } = await runTs(RUN, ['--scale', 'quick', '--only', 'replay', '--out', out, '--work-dir', path.join(out, 'work')], {
      BENCH_REPLAY_EVENTS: '2000',
      BENCH_SETTLE_SECONDS: '5',
    });
    if (code !== 0) throw new Error(`bench exited ${code}\n${stdout}\n${stderr}`);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(results.failures).toEqual([]);
    const [rebuild] = results.figures.filter((f) => f.unit === 'events/s');
    expect(rebuild).toMatchObject({ bench: 'replay', value: expect.any(Number), baseline: { value: expect.any(Number) }, target: { pass: expect.any(Boolean) } });
    const cpu = results.figures.find((f) => f.name.startsWith('CPU per replayed event'));
    expect(cpu).toMatchObject({ unit: 'µs', value: expect.any(Number), baseline: { value: expect.any(Number) } });
    const details = (results.details as { replay: { events: number; suspectsRows: number; cpuUsPerEvent: Record<string, Record<string, number>> } }).replay;
    expect(details.events).toBe(2000);
    // Four events a suspect: the rebuilt table holds one row each.
    expect(details.suspectsRows).toBe(500);
    expect(Object.keys(details.cpuUsPerEvent).sort()).toEqual(['readLog', 'readLogUnopened', 'rebuild']);
    for (const split of Object.values(details.cpuUsPerEvent)) {
      expect(Object.keys(split).sort()).toEqual(['bench', 'postgres']);
      expect(split.bench).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/replay: CPU µs per event: rebuild this process [\d.]+, postgres [\d.]+; readLog .*; readLog leaving personal data sealed .* \(\d+ events\/s\)/);
    // The auditors' replay of the same log from the archive, into every police read model.
    const auditors = results.figures.find((f) => f.name.startsWith("the auditors' ReplayService"));
    expect(auditors).toMatchObject({ bench: 'replay', unit: 'events/s', value: expect.any(Number), baseline: { value: expect.any(Number) } });
    const archived = (details as unknown as { auditors: { events: number; recordsReadSeconds: number; rows: Record<string, number> } }).auditors;
    expect(archived.events).toBe(2000);
    expect(archived.recordsReadSeconds).toBeGreaterThan(0);
    expect(archived.rows).toMatchObject({ suspects: 500, suspect_sightings: 500 });
  }, 180_000);
});
