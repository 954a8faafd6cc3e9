// Settings of the fault suite (`npm run test:faults`), from the environment. Every knob has a
// default that keeps one run under about four minutes on a 2-core machine.
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export type Scenario = 'single' | 'cluster';

export interface FaultsConfig {
  /**
   * FAULTS_SCENARIO: `single` (default) is one broker, two ministry replicas and every fault;
   * `cluster` is a 3-node Kafka cluster and two immigration instances, of which one broker node and
   * one immigration instance are killed during the load (what `npm run test:cluster` runs).
   */
  scenario: Scenario;
  /** Kafka nodes (FAULTS_KAFKA_NODES): node I listens on kafkaPort + 2(I-1), behind its own proxy on kafkaProxyPort + 2(I-1). */
  kafkaNodes: number;
  /** How long a killed node stays down in a cluster before it is started again (FAULTS_NODE_DOWN_S). */
  nodeDownS: number;
  /** How long starting a node may take before the fault counts as failed (FAULTS_KAFKA_START_TIMEOUT_S, kafka.sh's KAFKA_START_TIMEOUT). */
  kafkaStartTimeoutS: number;
  /** Instances of the immigration service (FAULTS_IMMIGRATION_REPLICAS): they share its consumer group, and one leads its relay. */
  immigrationReplicas: number;
  /** Commands per second the generator issues, over all three agencies (FAULTS_RATE). */
  rate: number;
  /** How long the load runs, in seconds (FAULTS_DURATION_S); the faults are placed within it. */
  durationS: number;
  /** Client-side timeout of one HTTP attempt (FAULTS_REQUEST_TIMEOUT_MS); a timed-out command is retried with the same id. */
  requestTimeoutMs: number;
  /** Requests in flight per agency at most (FAULTS_MAX_IN_FLIGHT); later commands wait in line. */
  maxInFlight: number;
  /** How long after the load a command may still be retried before it counts as not acknowledged (FAULTS_GIVE_UP_S). */
  giveUpS: number;
  /** How long the network may take to drain (relays, consumers, archive) after the load (FAULTS_DRAIN_TIMEOUT_S). */
  drainTimeoutS: number;
  /**
   * The longest a fault may take to recover before it counts as not recovered (FAULTS_RECOVERY_TIMEOUT_S).
   * Faults come at set times, so a slow recovery may run into the next fault: its time then
   * includes that fault's (the report says so), and it fails only if not recovered within this
   * long after the last fault that came on top of it.
   */
  recoveryTimeoutS: number;
  /** Copies re-published per topic at each duplicate injection (FAULTS_DUPLICATES). */
  duplicatesPerTopic: number;
  /** Replicas of the foreign-ministry service (FAULTS_MINISTRY_REPLICAS): with 2, the stalled one's partitions move to the other. */
  ministryReplicas: number;
  /**
   * FAULTS_SEQUENTIAL=1: a fault starts at its set time but never before the previous one has
   * recovered (or timed out), and the load lasts until the last fault has: per-fault recovery times
   * without overlap, for a longer run. Default: every fault at its set time (overlaps reported).
   */
  sequential: boolean;
  /** Faults to inject, comma-separated names, or `all` (FAULTS_ONLY); `none` runs the load alone. */
  only: string[] | 'all';
  /** The suite's own broker (node 1 of its cluster): listener, controller, and the proxy's port that the broker advertises. */
  kafkaPort: number;
  kafkaControllerPort: number;
  kafkaProxyPort: number;
  kafkaDataDir: string;
  /** The suite's own Postgres cluster (FAULTS_PG_CLUSTER, default `interlink-faults`, created and dropped by the suite; `main` restarts the shared one). */
  pgCluster: string;
  pgPort: number;
  pgVersion?: string;
  /** Consumer session timeout of the services (FAULTS_SESSION_TIMEOUT_MS), and how long the stalled process stays stopped. */
  sessionTimeoutMs: number;
  stallMs: number;
  /** Where the report (JSON) and the service logs go. */
  outDir: string;
  reportFile: string;
  /** Leave the broker, the cluster and the databases in place (FAULTS_KEEP=1), to look at them after a run. */
  keep: boolean;
  seed: number;
}

function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export const FAULT_NAMES = ['kafka-kill', 'proxy-delay', 'proxy-drop', 'postgres-restart', 'service-kill', 'consumer-stall', 'duplicates'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function faultsConfig(): FaultsConfig {
  const outDir = path.resolve(ROOT, process.env.FAULTS_OUT_DIR || (process.env.FAULTS_SCENARIO === 'cluster' ? 'deploy/local/.data/faults-cluster' : 'deploy/local/.data/faults'));
  const scenarioRaw = process.env.FAULTS_SCENARIO || 'single';
  if (scenarioRaw !== 'single' && scenarioRaw !== 'cluster') throw new Error(`FAULTS_SCENARIO must be single or cluster, got "${scenarioRaw}"`);
  const scenario: Scenario = scenarioRaw;
  const cluster = scenario === 'cluster';
  const onlyRaw = (process.env.FAULTS_ONLY || (cluster ? 'kafka-kill,service-kill,duplicates' : 'all')).trim();
  let only: FaultsConfig['only'] = 'all';
  if (onlyRaw === 'none') only = [];
  else if (onlyRaw !== 'all') {
    only = onlyRaw.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = only.filter((n) => !(FAULT_NAMES as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`FAULTS_ONLY names unknown faults: ${unknown.join(', ')}; known: ${FAULT_NAMES.join(', ')}, all, none`);
  }
  const pgCluster = process.env.FAULTS_PG_CLUSTER || 'interlink-faults';
  if (!/^[A-Za-z0-9_-]+$/.test(pgCluster)) throw new Error(`FAULTS_PG_CLUSTER must be a cluster name, got "${pgCluster}"`);
  const sessionTimeoutMs = num('FAULTS_SESSION_TIMEOUT_MS', 6000, 6000, 60000);
  return {
    scenario,
    kafkaNodes: num('FAULTS_KAFKA_NODES', cluster ? 3 : 1, 1, 5),
    nodeDownS: num('FAULTS_NODE_DOWN_S', 15, 0, 600),
    kafkaStartTimeoutS: num('FAULTS_KAFKA_START_TIMEOUT_S', 180, 10, 1800),
    immigrationReplicas: num('FAULTS_IMMIGRATION_REPLICAS', cluster ? 2 : 1, 1, 4),
    rate: num('FAULTS_RATE', 20, 1, 2000),
    durationS: num('FAULTS_DURATION_S', cluster ? 60 : 90, 5, 3600),
    requestTimeoutMs: num('FAULTS_REQUEST_TIMEOUT_MS', 5000, 200, 120000),
    maxInFlight: num('FAULTS_MAX_IN_FLIGHT', 32, 1, 10000),
    giveUpS: num('FAULTS_GIVE_UP_S', 90, 5, 3600),
    drainTimeoutS: num('FAULTS_DRAIN_TIMEOUT_S', 90, 5, 3600),
    recoveryTimeoutS: num('FAULTS_RECOVERY_TIMEOUT_S', 120, 5, 3600),
    duplicatesPerTopic: num('FAULTS_DUPLICATES', 40, 0, 100000),
    ministryReplicas: num('FAULTS_MINISTRY_REPLICAS', cluster ? 1 : 2, 1, 4),
    only,
    sequential: process.env.FAULTS_SEQUENTIAL === '1',
    kafkaPort: num('FAULTS_KAFKA_PORT', 19192, 1, 65535),
    kafkaControllerPort: num('FAULTS_KAFKA_CONTROLLER_PORT', 19193, 1, 65535),
    kafkaProxyPort: num('FAULTS_KAFKA_PROXY_PORT', 19292, 1, 65535),
    kafkaDataDir: path.join(outDir, 'kafka'),
    pgCluster,
    pgPort: pgCluster === 'main' ? 5432 : num('FAULTS_PG_PORT', 5439, 1, 65535),
    ...(process.env.FAULTS_PG_VERSION ? { pgVersion: process.env.FAULTS_PG_VERSION } : {}),
    sessionTimeoutMs,
    stallMs: num('FAULTS_STALL_MS', sessionTimeoutMs + 4000, 1000, 600000),
    outDir,
    reportFile: path.resolve(ROOT, process.env.FAULTS_REPORT || path.join(outDir, 'report.json')),
    keep: process.env.FAULTS_KEEP === '1',
    seed: num('FAULTS_SEED', Date.now() % 1_000_000, 0, Number.MAX_SAFE_INTEGER),
  };
}

export function faultEnabled(config: FaultsConfig, name: FaultName): boolean {
  return config.only === 'all' || config.only.includes(name);
}
