import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchOptions, UsageError, parseOptions } from '../../bench/options';
import { summariseProfile } from '../../bench/profile';
import { Results, markdown, ratioOf } from '../../bench/report';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(args, env) as BenchOptions;

describe('npm run bench: options', () => {
  it('runs every benchmark at the quick scale by default', () => {
    const options = parse([]);
    expect(options.only).toEqual(['append', 'relay', 'e2e', 'replay', 'verify', 'memory']);
    expect(options.scale).toBe('quick');
    expect(options.sizes.appendEvents).toBeLessThan(parse(['--scale', 'full']).sizes.appendEvents);
  });

  it('takes --only and --scale with a space or an equals sign, and keeps the benchmarks in their order', () => {
    const options = parse(['--only=verify,append', '--scale', 'full']);
    expect(options.only).toEqual(['append', 'verify']);
    expect(options.sizes.replayEvents).toBe(1_000_000);
  });

  it('lets the environment override a size of the scale', () => {
    expect(parse(['--scale', 'full'], { BENCH_REPLAY_EVENTS: '2000', BENCH_E2E_RATES: '50, 500' }).sizes).toMatchObject({ replayEvents: 2000, e2eRates: [50, 500] });
  });

  it.each([
    [['--only', 'append,nope'], /unknown: nope/],
    [['--only'], /--only needs a value/],
    [['--scale', 'huge'], /quick or full/],
    [['--fast'], /unknown argument "--fast"/],
  ])('refuses %j with a message', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });

  it('refuses a size that is not a positive whole number, naming the variable', () => {
    expect(() => parse([], { BENCH_APPEND_EVENTS: '-5' })).toThrow(/BENCH_APPEND_EVENTS must be a positive number/);
    expect(() => parse([], { BENCH_APPEND_BATCH: '2.5' })).toThrow(/BENCH_APPEND_BATCH must be a whole number/);
    expect(() => parse([], { BENCH_E2E_RATE_FACTOR: '1' })).toThrow(/greater than 1/);
  });

  it('answers --help', () => {
    expect(parseOptions(['--scale', 'full', '--help'], {})).toBe('help');
  });
});

describe('npm run bench: report', () => {
  it('puts each figure in a row beside its baseline, ratio and verdict', () => {
    const results: Results = {
      date: '2026-01-01T00:00:00.000Z',
      scale: 'quick',
      only: ['append'],
      machine: { cores: 2 },
      settings: { sizes: parse([]).sizes, services: {} },
      figures: [{ bench: 'append', name: 'store | in-process', unit: 'events/s', value: 3000, baseline: { name: 'plain', value: 12000 }, ratio: ratioOf(3000, 12000), target: { text: 'at least 50% of the baseline', pass: false } }],
      details: {},
      failures: [],
      profiles: [],
      durationSeconds: 12,
    };
    expect(markdown(results)).toContain('| append | store \\| in-process | 3,000 events/s | plain | 12,000 events/s | 0.25 | at least 50% of the baseline | **fail** |');
    expect(ratioOf(1, null)).toBeNull();
  });

  it('ranks the functions of a CPU profile by self time, leaving idle time apart', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-profile-')), 'p.cpuprofile');
    const frame = (functionName: string) => ({ functionName, url: 'file:///x/a.js', lineNumber: 9, columnNumber: 0, scriptId: '1' });
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [{ id: 1, callFrame: frame('(idle)') }, { id: 2, callFrame: frame('hash') }, { id: 3, callFrame: frame('parse') }],
        samples: [1, 2, 2, 3, 2],
        timeDeltas: [5000, 1000, 1000, 1000, 1000],
        startTime: 0,
        endTime: 9000,
      }),
    );
    const summary = summariseProfile(file, 'test');
    expect(summary.idleMs).toBe(5);
    expect(summary.top.map((t) => [t.functionName, t.selfMs, Math.round(t.percent)])).toEqual([['hash', 3, 75], ['parse', 1, 25]]);
    expect(summary.top[0].where).toMatch(/a\.js:10$/);
    // Samples end at 5, 6, 7, 8 and 9 ms: a window keeps those within it.
    expect(summariseProfile(file, 'test', { fromUs: 6500, toUs: 8500 }).top.map((t) => [t.functionName, t.selfMs])).toEqual([['hash', 1], ['parse', 1]]);
  });
});
