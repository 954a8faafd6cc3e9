// What one run owns on the shared broker and Postgres server: agency ids `b<run>-<role>` (and
// `b<run>-<step>-<role>` from the second step on),
// databases `bench_<run>_<label>`, topics and groups named after those ids, development keys in a
// temporary folder, and the services it starts. Everything is undone at the end, also on Ctrl-C.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Migration, createDataSource, ensureDatabase, migrate } from '@interlink/event-store';
import { createKafka, kafkaSettingsFromEnv } from '@interlink/messaging';
import { Role, devIssuer, issueToken, loadOrCreateDevKey } from '@interlink/security';
import { databaseUrl, foundationMigrations, testServerUrl } from '@interlink/testing';
import { ServiceProcess, ServiceRole, freePort, waitHealthy } from '../scripts/faults/services';

export const AGENCY_ROLES = ['police', 'immigration', 'foreign-ministry', 'audit', 'task-force'] as const;
export type AgencyRoleName = (typeof AGENCY_ROLES)[number];

export const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StepScope {
  cleanups: number;
  databases: Set<string>;
}

export interface BenchDatabase {
  url: string;
  dataSource: DataSource;
}

export class BenchRun {
  readonly id = randomBytes(2).toString('hex');
  /** The agencies of the current step: each step its own, see beginStep. */
  ids: Record<AgencyRoleName, string>;
  private steps = 0;
  readonly keysDir: string;
  private readonly cleanups: (() => Promise<void>)[] = [];
  private readonly databases = new Set<string>();

  constructor(
    readonly workDir: string,
    /** DB_STATEMENT_CACHE of the stores the run opens in-process (undefined: the library's default). */
    readonly statementCache?: number,
  ) {
    this.ids = this.agencies('');
    this.keysDir = mkdtempSync(path.join(tmpdir(), `interlink-bench-${this.id}-keys-`));
    mkdirSync(this.logDir, { recursive: true });
    this.defer(async () => rmSync(this.keysDir, { recursive: true, force: true }));
    this.defer(() => this.dropDatabases());
    this.defer(() => this.deleteKafkaResources());
  }

  get logDir(): string {
    return path.join(this.workDir, 'logs');
  }

  /** Runs at cleanup, last deferred first. */
  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    while (this.cleanups.length) await this.cleanups.pop()!().catch((e: Error) => say(`cleanup: ${e.message}`));
  }

  databaseName(label: string): string {
    const name = `bench_${this.id}_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    this.databases.add(name);
    return name;
  }

  databaseUrl(label: string): string {
    return databaseUrl(this.databaseName(label));
  }

  /** A fresh database with the foundation's tables (and `extra` migrations), dropped at the end. */
  async database(label: string, options: { extra?: Migration[]; entities?: Function[]; poolSize?: number } = {}): Promise<BenchDatabase> {
    const url = this.databaseUrl(label);
    await ensureDatabase(url);
    const dataSource = createDataSource({ url, entities: options.entities ?? [], poolSize: options.poolSize ?? 10, applicationName: `bench-${label}`, statementCache: this.statementCache });
    await dataSource.initialize();
    this.defer(() => dataSource.destroy().then(() => undefined));
    await migrate(dataSource, [...foundationMigrations, ...(options.extra ?? [])]);
    return { url, dataSource };
  }

  private async dropDatabases(names: Iterable<string> = this.databases): Promise<void> {
    const admin = new Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  private agencies(step: string): Record<AgencyRoleName, string> {
    return Object.fromEntries(AGENCY_ROLES.map((role) => [role, `b${this.id}-${step}${role}`])) as Record<AgencyRoleName, string>;
  }

  /**
   * Marks where a benchmark step starts: `endStep` undoes what it deferred and made after this.
   * From the second step on, the step's agencies have ids of their own (`b<run>-<step>-<role>`),
   * so their topics and groups are new: the end-to-end step's consumers read the police topics
   * from the beginning, and with the ids of the relay step (and of the HTTP append's police
   * service) they first drained the 50,000 events those had published, the full runs' 100 s
   * warm-up.
   */
  beginStep(): StepScope {
    this.steps++;
    if (this.steps > 1) this.ids = this.agencies(`${this.steps}-`);
    return { cleanups: this.cleanups.length, databases: new Set(this.databases) };
  }

  /**
   * Ends a step: runs what it deferred, drops the databases it made, and leaves the server quiet
   * for the next step. A million-event step otherwise leaves autovacuum and a checkpoint's writes
   * running into the next step's measurement (the end-to-end latencies of a full run were several
   * times those of the same step run alone; see the README).
   */
  async endStep(scope: StepScope, settleSeconds: number): Promise<string> {
    while (this.cleanups.length > scope.cleanups) await this.cleanups.pop()!().catch((e: Error) => say(`cleanup: ${e.message}`));
    const made = [...this.databases].filter((name) => !scope.databases.has(name));
    await this.dropDatabases(made);
    for (const name of made) this.databases.delete(name);
    return `dropped ${made.length} database(s); ${await settleServer(settleSeconds)}`;
  }

  kafka(label = 'bench'): Kafka {
    return createKafka(kafkaSettingsFromEnv(`${label}-${this.id}`));
  }

  /** Topic and group names this run made: its agencies', and the baseline's `bench.<run>.` topics. */
  owns(name: string): boolean {
    return new RegExp(`(^|[.])b${this.id}-|^bench[.-]${this.id}[.-]`).test(name);
  }

  private async deleteKafkaResources(): Promise<void> {
    const admin = this.kafka('bench-cleanup').admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => this.owns(t));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 60_000 });
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => this.owns(g));
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      say(`deleted ${topics.length} topics and ${groups.length} consumer groups of run ${this.id}`);
    } finally {
      await admin.disconnect();
    }
  }

  signingKey(role: AgencyRoleName) {
    return loadOrCreateDevKey(this.keysDir, this.ids[role]);
  }

  token(role: AgencyRoleName, roles: Role[]): string {
    return issueToken(devIssuer(this.keysDir), { sub: 'bench', agency: this.ids[role], roles });
  }

  /** The environment every service of the run shares (the partners' ids, keys, no rate limit). */
  private sharedEnv(): Record<string, string> {
    return {
      POLICE_AGENCY_ID: this.ids.police,
      IMMIGRATION_AGENCY_ID: this.ids.immigration,
      FOREIGN_MINISTRY_AGENCY_ID: this.ids['foreign-ministry'],
      AUDIT_AGENCY_ID: this.ids.audit,
      TASK_FORCE_AGENCY_ID: this.ids['task-force'],
      KEYS_DIR: this.keysDir,
      TRUSTED_KEYS_DIR: this.keysDir,
      // The benchmark drives one user far beyond a person's rate.
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_BURST: '100000',
      HOST: '127.0.0.1',
      NO_COLOR: '1',
    };
  }

  /**
   * Starts a service as a child process (as `npm start` does) with a fresh database of this run,
   * and waits until it is ready. With `profileDir` it runs under `node --cpu-prof`.
   */
  async startService(role: ServiceRole, options: { name?: string; env?: Record<string, string>; profileDir?: string } = {}): Promise<ServiceProcess> {
    const agency: AgencyRoleName = role === 'task-force-console' ? 'task-force' : role;
    const name = options.name ?? role;
    if (agency !== 'task-force') this.signingKey(agency);
    const env: Record<string, string> = {
      ...this.sharedEnv(),
      AGENCY_ID: this.ids[agency],
      DATABASE_URL: this.databaseUrl(name),
      ...options.env,
    };
    const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, name)}`] : [];
    const service = new ServiceProcess(role, name, await freePort(), env, path.join(this.logDir, `${name}.log`), nodeArgs);
    service.start();
    this.defer(async () => {
      await service.stop();
      service.closeLog();
    });
    const readiness = role === 'audit' ? '/health' : '/health/ready';
    await waitHealthy(service, readiness, 240_000);
    return service;
  }
}

/** Resident memory of a process now, in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null once it is gone.
 * With `reapedChildren`, also what its children used that have ended and that it waited for.
 */
export function cpuSeconds(pid: number, reapedChildren = false): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15, cutime and cstime 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (reapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: Linux reports process times in these ticks, 100 per second on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds used so far by each group of processes on the machine that matters to a benchmark:
 * Postgres (every backend and helper of the server), the Kafka broker(s) and the given processes.
 */
export function cpuByGroup(named: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { postgres: 0, kafka: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const group = comm === 'postgres' ? 'postgres' : comm === 'java' && isKafka(Number(entry)) ? 'kafka' : undefined;
    // A backend or autovacuum worker that ends takes its CPU time with it, into the postmaster's
    // reaped children's time: counted there, the group's total only grows.
    if (group) out[group] += cpuSeconds(Number(entry), true) ?? 0;
  }
  for (const [name, pid] of Object.entries(named)) out[name] = cpuSeconds(pid) ?? 0;
  return out;
}

/** CPU seconds each process group used between two readings of cpuByGroup. */
export function cpuUsed(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, used]) => [name, used - (before[name] ?? 0)]));
}

/** CPU ms per call of each process group, from the CPU seconds it used over `calls` calls (events, commands). */
export function cpuMsPer(used: Record<string, number>, calls: number): Record<string, number> {
  return Object.fromEntries(Object.entries(used).map(([name, seconds]) => [name, calls > 0 ? (1000 * seconds) / calls : 0]));
}

/** `police 2.57, postgres 0.95, ...`: CPU ms per call as the terminal shows them. */
export function cpuMsText(ms: Record<string, number>): string {
  return Object.entries(ms).map(([name, v]) => `${name} ${v.toFixed(2)}`).join(', ');
}

function isKafka(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}

/**
 * Writes out the server's dirty buffers (`CHECKPOINT`) and waits for its autovacuum workers to
 * finish (at most `limitSeconds`), so that the next step does not pay for the last one's writes.
 * Says what it did; a server that refuses `CHECKPOINT` (a role without the right) is only waited for.
 */
export async function settleServer(limitSeconds: number): Promise<string> {
  const admin = new Client({ connectionString: testServerUrl(), application_name: 'bench-settle' });
  await admin.connect();
  try {
    const t0 = Date.now();
    const checkpoint = await admin.query('CHECKPOINT').then(
      () => `checkpoint ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      (e: Error) => `no checkpoint (${e.message})`,
    );
    const t1 = Date.now();
    let workers = 0;
    for (;;) {
      const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
      workers = rows[0].n;
      if (workers === 0 || Date.now() - t1 > limitSeconds * 1000) break;
      await sleep(500);
    }
    const waited = ((Date.now() - t1) / 1000).toFixed(1);
    return `${checkpoint}; ${workers ? `${workers} autovacuum worker(s) still running after ${waited} s` : `autovacuum quiet after ${waited} s`}`;
  } finally {
    await admin.end();
  }
}
