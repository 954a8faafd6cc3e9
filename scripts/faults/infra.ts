// The suite's own infrastructure: a Kafka broker of its own (deploy/local/kafka.sh with other
// ports and data dir, advertising the proxy's port) and a Postgres cluster of its own (so that a
// restart does not cut off anyone else's tests on the shared cluster).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { FaultsConfig, ROOT } from './config';

const KAFKA_SH = path.join(ROOT, 'deploy/local/kafka.sh');

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

async function must(command: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<string> {
  const { code, out } = await run(command, args, env, timeoutMs);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${out.trim()}`);
  return out;
}

/** The suite's broker (or cluster), run by deploy/local/kafka.sh on its own ports and data dir; `start` starts whichever nodes are not running. */
export class Broker {
  constructor(private readonly config: FaultsConfig) {}

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_PORT: String(this.config.kafkaPort),
      KAFKA_ADVERTISED_PORT: String(this.config.kafkaProxyPort),
      KAFKA_CONTROLLER_PORT: String(this.config.kafkaControllerPort),
      KAFKA_DATA_DIR: this.config.kafkaDataDir,
      KAFKA_NODES: String(this.config.kafkaNodes),
      KAFKA_HEAP_OPTS: process.env.FAULTS_KAFKA_HEAP_OPTS || '-Xms256m -Xmx512m',
      // A node SIGKILLed under load recovers every log before it listens again: on a busy 2-core
      // machine that has taken a minute (kafka.sh's default wait is 60 s).
      KAFKA_START_TIMEOUT: String(this.config.kafkaStartTimeoutS),
    };
  }

  /** Starts a fresh broker (its data dir is wiped first). */
  async startFresh(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.config.kafkaDataDir, { recursive: true, force: true });
    await this.start();
  }

  async start(): Promise<void> {
    await must('bash', [KAFKA_SH, 'start'], this.env, (this.config.kafkaStartTimeoutS + 60) * 1000);
  }

  /** SIGKILL, as a crash would: every node, or node `node` of a cluster. */
  async kill(node?: number): Promise<void> {
    await must('bash', [KAFKA_SH, 'kill', ...(node ? [String(node)] : [])], this.env);
  }

  async stop(): Promise<void> {
    await must('bash', [KAFKA_SH, 'stop'], this.env);
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.config.kafkaDataDir, { recursive: true, force: true });
  }
}

/** A Debian Postgres cluster for the suite alone (or the shared `main`, if asked for). */
export class PostgresCluster {
  private created = false;
  readonly version: string;

  constructor(private readonly config: FaultsConfig) {
    this.version = config.pgVersion ?? newestVersion();
  }

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.config.pgPort}/postgres`;
  }

  databaseUrl(name: string): string {
    return `postgres://postgres@127.0.0.1:${this.config.pgPort}/${name}`;
  }

  private async exists(): Promise<boolean> {
    const { out } = await run('pg_lsclusters', ['-h']);
    return out.split('\n').some((line) => {
      const [version, name] = line.trim().split(/\s+/);
      return version === this.version && name === this.config.pgCluster;
    });
  }

  /** Creates the cluster if missing (trust auth on loopback, like the shared one) and starts it. */
  async ensure(): Promise<void> {
    if (!(await this.exists())) {
      if (this.config.pgCluster === 'main') throw new Error(`no Postgres cluster ${this.version}/main`);
      await must('pg_createcluster', [this.version, this.config.pgCluster, '-p', String(this.config.pgPort), '--start-conf=manual', '--', '--auth-local=trust', '--auth-host=trust']);
      writeFileSync(
        `/etc/postgresql/${this.version}/${this.config.pgCluster}/conf.d/90-interlink-faults.conf`,
        `# The Interlink fault suite's own cluster (scripts/faults): loopback only, room for its services.\n` +
          `listen_addresses = '127.0.0.1'\nmax_connections = 200\nshared_buffers = '64MB'\nfsync = on\n`,
      );
      this.created = true;
    }
    const started = await run('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.config.pgCluster, 'start']);
    // "already running" is fine as long as it answers.
    await this.waitReady(started.code === 0 ? 30_000 : 3_000).catch((error: Error) => {
      throw new Error(`${error.message}\npg_ctlcluster start said: ${started.out.trim()}`);
    });
  }

  /** `pg_ctlcluster restart`: every connection is cut, the server comes back. */
  async restart(): Promise<void> {
    await must('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.config.pgCluster, 'restart'], process.env, 60_000);
    await this.waitReady(30_000);
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { code } = await run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(this.config.pgPort), '-t', '2']);
      if (code === 0) return;
      if (Date.now() > deadline) throw new Error(`Postgres ${this.version}/${this.config.pgCluster} did not accept connections on 127.0.0.1:${this.config.pgPort} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async dropDatabases(names: string[]): Promise<void> {
    const admin = new Client({ connectionString: this.serverUrl });
    await admin.connect();
    try {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  /** Drops the cluster if this run created it (or always, for a cluster that is not `main`, when asked). */
  async remove(): Promise<void> {
    if (this.config.pgCluster === 'main') return;
    if (this.created || (await this.exists())) {
      await run('pg_dropcluster', ['--stop', this.version, this.config.pgCluster]);
    }
  }
}

function newestVersion(): string {
  if (!existsSync('/etc/postgresql')) throw new Error('no /etc/postgresql: the fault suite needs a local Debian PostgreSQL (pg_createcluster, pg_ctlcluster)');
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error('/etc/postgresql has no cluster version folder');
  return versions[versions.length - 1];
}
