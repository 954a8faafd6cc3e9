// Command line and environment of `npm run bench`. Sizes come from the scale and can each be
// overridden by a BENCH_* variable; the services' own knobs (DB_POOL_SIZE, RELAY_BATCH_SIZE, ...)
// are read from the environment as the services read them, so one run records what it measured.
import path from 'node:path';

export const BENCHES = ['append', 'relay', 'e2e', 'replay', 'verify', 'memory'] as const;
export type Bench = (typeof BENCHES)[number];
export type Scale = 'quick' | 'full';

export const ROOT = path.resolve(__dirname, '..');

export interface Sizes {
  /** Events appended in-process, and the batch per `EventStore.append` call. */
  appendEvents: number;
  appendBatch: number;
  /** The HTTP append: how long, and how many requests in flight. */
  httpSeconds: number;
  httpConcurrency: number;
  /** Events seeded, then published by the relay. */
  relayEvents: number;
  /** Events seeded, then replayed into the police read models. */
  replayEvents: number;
  /** Signed events verified by the audit service's ChainVerifier. */
  verifyEvents: number;
  /** How long each end-to-end rate is held. */
  e2eStepSeconds: number;
  /** Steady rates measured in any case, events/s. */
  e2eRates: number[];
  /** HTTP probe commands per second on top of the background load. */
  e2eProbeRate: number;
  /** Events of one suspect's story per background append (1: identifications only; 4: the whole story). */
  e2eEventsPerAppend: number;
  /** The search for the highest sustainable rate starts here and multiplies by e2eRateFactor while sustainable, or divides by it until sustainable. */
  e2eStartRate: number;
  e2eRateFactor: number;
  e2eMaxSteps: number;
  /** How long probes of a step may still arrive after it ends before they count as lost. */
  e2eDrainSeconds: number;
  /** After each benchmark, how long to wait at most for the server's autovacuum workers to finish. */
  settleSeconds: number;
}

const SCALES: Record<Scale, Sizes> = {
  quick: {
    appendEvents: 2000,
    appendBatch: 100,
    httpSeconds: 6,
    httpConcurrency: 16,
    relayEvents: 5000,
    replayEvents: 10_000,
    verifyEvents: 20_000,
    e2eStepSeconds: 6,
    e2eRates: [100, 1000],
    e2eProbeRate: 10,
    e2eEventsPerAppend: 4,
    e2eStartRate: 25,
    e2eRateFactor: 2,
    e2eMaxSteps: 2,
    e2eDrainSeconds: 10,
    settleSeconds: 10,
  },
  full: {
    appendEvents: 50_000,
    appendBatch: 100,
    httpSeconds: 30,
    httpConcurrency: 16,
    relayEvents: 50_000,
    replayEvents: 1_000_000,
    verifyEvents: 1_000_000,
    e2eStepSeconds: 30,
    e2eRates: [100, 1000],
    e2eProbeRate: 10,
    e2eEventsPerAppend: 4,
    e2eStartRate: 25,
    e2eRateFactor: 1.5,
    e2eMaxSteps: 8,
    e2eDrainSeconds: 120,
    settleSeconds: 120,
  },
};

/** BENCH_* variable of each size, for --help and for overrides. */
const SIZE_VARIABLES: Record<keyof Sizes, { name: string; what: string }> = {
  appendEvents: { name: 'BENCH_APPEND_EVENTS', what: 'events appended in-process (append a)' },
  appendBatch: { name: 'BENCH_APPEND_BATCH', what: 'events per EventStore.append call and per plain multi-row INSERT' },
  httpSeconds: { name: 'BENCH_HTTP_SECONDS', what: 'duration of POST /suspects and of the plain single-row INSERTs (append b)' },
  httpConcurrency: { name: 'BENCH_HTTP_CONCURRENCY', what: 'requests (and plain transactions) in flight (append b)' },
  relayEvents: { name: 'BENCH_RELAY_EVENTS', what: 'events seeded and then published by the relay' },
  replayEvents: { name: 'BENCH_REPLAY_EVENTS', what: 'events seeded and replayed into the police read models' },
  verifyEvents: { name: 'BENCH_VERIFY_EVENTS', what: 'signed events the ChainVerifier checks' },
  e2eStepSeconds: { name: 'BENCH_E2E_STEP_SECONDS', what: 'how long each end-to-end rate is held' },
  e2eRates: { name: 'BENCH_E2E_RATES', what: 'steady rates always measured, events/s, comma-separated' },
  e2eProbeRate: { name: 'BENCH_E2E_PROBE_RATE', what: 'HTTP probe commands/s on top of the background load' },
  e2eEventsPerAppend: { name: 'BENCH_E2E_EVENTS_PER_APPEND', what: 'events of one suspect (identified, sighted, arrested, charged) per background append, 1 to 4' },
  e2eStartRate: { name: 'BENCH_E2E_START_RATE', what: 'first rate of the search for the highest sustainable rate (up by the factor while sustainable, else down)' },
  e2eRateFactor: { name: 'BENCH_E2E_RATE_FACTOR', what: 'factor between the rates of that search' },
  e2eMaxSteps: { name: 'BENCH_E2E_MAX_STEPS', what: 'most steps of that search' },
  e2eDrainSeconds: { name: 'BENCH_E2E_DRAIN_SECONDS', what: 'how long probes may arrive after their step before they count as lost, and consumers may take to drain between steps' },
  settleSeconds: { name: 'BENCH_SETTLE_SECONDS', what: "after each benchmark (its databases dropped, a CHECKPOINT), the longest wait for the server's autovacuum workers to finish" },
};

/** The services' knobs a run records and passes on (child processes inherit the environment). */
export const SERVICE_KNOBS = [
  'DB_POOL_SIZE',
  'DB_STATEMENT_CACHE',
  'RELAY_BATCH_SIZE',
  'RELAY_POLL_INTERVAL_MS',
  'RELAY_LINGER_MS',
  'CONSUMER_MAX_WAIT_MS',
  'CONSUMER_SESSION_TIMEOUT_MS',
  'KAFKA_TOPIC_PARTITIONS',
  'KAFKA_BROKERS',
  'TEST_DATABASE_URL',
] as const;

export interface BenchOptions {
  only: Bench[];
  scale: Scale;
  sizes: Sizes;
  /** Where results.json and results.md go. */
  outDir: string;
  /** Where service logs and CPU profiles go. */
  workDir: string;
  /** Run the services of the HTTP append and end-to-end benchmarks under `node --cpu-prof`. */
  profile: boolean;
  /** DB_STATEMENT_CACHE for the stores the bench opens in-process (undefined: the library's default). */
  statementCache: number | undefined;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function helpText(): string {
  const sizes = (Object.keys(SIZE_VARIABLES) as (keyof Sizes)[])
    .map((k) => `  ${SIZE_VARIABLES[k].name.padEnd(26)} ${SIZE_VARIABLES[k].what} (quick ${show(SCALES.quick[k])}, full ${show(SCALES.full[k])})`)
    .join('\n');
  return `npm run bench -- [options]

Measures the product's own code paths on the local Kafka broker and Postgres and prints each
figure beside a plain baseline measured in the same run, with the ratio and the target.

Options:
  --only LIST        benchmarks to run, comma-separated: ${BENCHES.join(', ')} (default: all)
  --scale S          quick (small sizes, a few minutes) or full (the issue's sizes); default quick
  --out DIR          where results.json and results.md go (default bench/)
  --work-dir DIR     service logs and CPU profiles (default bench/.data/)
  --profile          run the police service (HTTP append) and every service of the end-to-end
                     run under node --cpu-prof, and list each profile's top self-time functions
  --help             this text

Sizes (environment; each overrides its scale's value):
${sizes}

Services' settings read from the environment as the services read them, and recorded:
  ${SERVICE_KNOBS.join(', ')}

Exit status: 0 when every benchmark ran (targets missed are reported, not failed), 1 when one
failed to run, 2 for bad arguments.`;
}

function show(value: number | number[]): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

function sizeFromEnv(key: keyof Sizes, fallback: number | number[], env: NodeJS.ProcessEnv): number | number[] {
  const { name } = SIZE_VARIABLES[key];
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parse = (text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a positive number, got "${raw}"`);
    return value;
  };
  if (Array.isArray(fallback)) return raw.split(',').map((s) => parse(s.trim()));
  const value = parse(raw);
  if (key === 'e2eEventsPerAppend' && value > 4) throw new UsageError(`${name} must be from 1 to 4 (a suspect's story has four events), got "${raw}"`);
  if (key === 'e2eRateFactor' ? value <= 1 : !Number.isInteger(value)) {
    throw new UsageError(key === 'e2eRateFactor' ? `${name} must be greater than 1, got "${raw}"` : `${name} must be a whole number, got "${raw}"`);
  }
  return value;
}

/**
 * DB_STATEMENT_CACHE as the services read it, for the stores the bench opens in-process
 * (undefined: the library's default); a UsageError when it is not a whole number from 0 to 10000.
 */
function statementCacheSetting(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.DB_STATEMENT_CACHE;
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 10000) throw new UsageError(`DB_STATEMENT_CACHE must be a whole number from 0 to 10000, got "${raw}"`);
  return value;
}

/** Reads the command line and the environment; a UsageError says what is wrong. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let only: Bench[] = [...BENCHES];
  let scale: Scale = 'quick';
  let outDir = path.join(ROOT, 'bench');
  let workDir: string | undefined;
  let profile = false;
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--only': {
        const names = take().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
        if (unknown.length > 0 || names.length === 0) {
          throw new UsageError(`--only takes names from ${BENCHES.join(', ')}; ${unknown.length ? `unknown: ${unknown.join(', ')}` : 'none given'}`);
        }
        only = BENCHES.filter((b) => names.includes(b));
        break;
      }
      case '--scale': {
        const s = take();
        if (s !== 'quick' && s !== 'full') throw new UsageError(`--scale is quick or full, got "${s}"`);
        scale = s;
        break;
      }
      case '--out':
        outDir = path.resolve(take());
        break;
      case '--work-dir':
        workDir = path.resolve(take());
        break;
      case '--profile':
        profile = true;
        break;
      default:
        throw new UsageError(`unknown argument "${argv[i]}"; see npm run bench -- --help`);
    }
  }
  const statementCache = statementCacheSetting(env);
  const sizes = { ...SCALES[scale] } as Sizes;
  for (const key of Object.keys(SIZE_VARIABLES) as (keyof Sizes)[]) {
    (sizes as unknown as Record<string, number | number[]>)[key] = sizeFromEnv(key, SCALES[scale][key], env);
  }
  return { only, scale, sizes, outDir, workDir: workDir ?? path.join(ROOT, 'bench', '.data'), profile, statementCache };
}
