// The load: police identify suspects (immigration watchlists them, the ministry screens them
// against its cases), immigration records crossings (some of watchlisted passports: alerts, which
// police record as sightings), the ministry reports victim cases. Commands go out at a steady rate
// whatever happens to the services; each is retried with the same command id after a timeout, a
// refused connection or a 429/5xx until it is acknowledged.
import { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { AgencyRole, ServiceProcess } from './services';

export interface Person {
  name: string;
  birthDate: string;
  nationality: string;
  passports: { number: string; country: string }[];
}

export type CommandKind = 'suspect' | 'role' | 'crossing' | 'case';

export interface CommandRecord {
  commandId: string;
  kind: CommandKind;
  agency: AgencyRole;
  path: string;
  body: Record<string, unknown>;
  /** ms since the load started */
  issuedAt: number;
  ackedAt?: number;
  attempts: number;
  status: 'pending' | 'acked' | 'refused' | 'abandoned';
  /** The first acknowledgement said `replayed: true`: an earlier attempt had been done, its answer lost. */
  replayedAck?: boolean;
  result?: { events?: { id: string; type: string }[]; suspectId?: string; caseId?: string; crossingId?: string; alerts?: { alertId: string; entryId: string; suspect?: { agency: string; id: string } }[] };
  refusal?: string;
  /** A crossing made with the passport of a suspect already on immigration's watchlist: exactly one alert expected. */
  expectAlertFor?: string;
  /** A suspect made of the person of an open victim case: that case is expected to be flagged once. */
  matchesCase?: string;
  /** A role change: the suspect it changes. */
  roleOf?: string;
}

export interface LoadStats {
  issued: number;
  acked: number;
  refused: number;
  abandoned: number;
  replayedAcks: number;
  attempts: number;
  retried: number;
  errors: Record<string, number>;
  byKind: Record<CommandKind, number>;
  issueSeconds: number;
  achievedRate: number;
  ackedDuringLoad: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  matchingCrossings: number;
  matchingSuspects: number;
  /** Most commands waiting for a free request slot at once (a service was away or slow). */
  maxQueued: number;
}

const FIRST = ['Ahmad', 'Siti', 'Tan', 'Lim', 'Nurul', 'Ravi', 'Wong', 'Lee', 'Farah', 'Kumar', 'Aisyah', 'Chong', 'Hafiz', 'Mei', 'Arjun', 'Zul'];
const LAST = ['Rahman', 'Abdullah', 'Wei Ming', 'Subramaniam', 'Ismail', 'Chee Keong', 'Hassan', 'Yusof', 'Krishnan', 'Ong', 'Osman', 'Teo'];
const COUNTRIES = ['KH', 'MM', 'LA', 'PE', 'TH', 'PH'];
const CHECKPOINTS = ['KLIA', 'KLIA2', 'Bukit Kayu Hitam', 'JB Sultan Iskandar', 'Penang Airport'];
const ROLES = ['recruiter', 'operator', 'money-mule', 'ringleader'];

/** A small deterministic PRNG (mulberry32), so a run can be repeated with FAULTS_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDate(base: string, days: number): string {
  const d = new Date(`${base}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

export interface LoadOptions {
  rate: number;
  durationS: number;
  requestTimeoutMs: number;
  /**
   * Requests in flight per agency at most, as a client's connection pool would allow; commands
   * issued beyond it wait in line (their latency counts the wait). Without a bound, a service that
   * is away for a few seconds comes back to a storm of thousands of retries.
   */
  maxInFlight: number;
  endpoints: Record<AgencyRole, ServiceProcess[]>;
  tokens: Record<AgencyRole, string>;
  /** Read models the generator looks at to aim crossings and suspects at what is already known. */
  immigrationDbUrl: string;
  ministryDbUrl: string;
  runTag: string;
  seed: number;
  log: (line: string) => void;
}

export class LoadGenerator {
  readonly commands: CommandRecord[] = [];
  private readonly random: () => number;
  private readonly roundRobin: Record<AgencyRole, number> = { police: 0, immigration: 0, 'foreign-ministry': 0 };
  private readonly counters = { suspect: 0, case: 0, traveller: 0 };
  /** Suspects acknowledged by police: id -> person. */
  private readonly suspects = new Map<string, Person>();
  /** Their role as last acknowledged, and those with a role change in flight (one at a time, so none finds the role it asks for). */
  private readonly roles = new Map<string, string>();
  private readonly changingRole = new Set<string>();
  /** Cases acknowledged by the ministry and not yet used for a matching suspect: id -> person. */
  private readonly cases = new Map<string, Person>();
  /** Suspect ids on immigration's watchlist (read model), refreshed every second. */
  private watchlisted: string[] = [];
  /** Case ids in the ministry's read model, refreshed every second. */
  private openCases: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Per agency: requests in flight, and commands waiting for a slot. */
  private readonly slots: Record<AgencyRole, { busy: number; queue: (() => void)[] }> = {
    police: { busy: 0, queue: [] },
    immigration: { busy: 0, queue: [] },
    'foreign-ministry': { busy: 0, queue: [] },
  };
  maxQueued = 0;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private t0 = 0;
  private loadEndedAt = 0;
  private issueSeconds = 0;
  private readonly errors: Record<string, number> = {};
  private stopRefresh = false;
  private refresher?: Promise<void>;
  private readonly pools: Pool[] = [];

  constructor(private readonly options: LoadOptions) {
    this.random = prng(options.seed);
  }

  /** ms since the load started. */
  now(): number {
    return performance.now() - this.t0;
  }

  get startedAt(): number {
    return this.t0;
  }

  /**
   * Issues commands at the configured rate for the configured time (longer while `keepGoing` says
   * so); resolves when the last one is issued.
   */
  async run(keepGoing: () => boolean = () => false): Promise<void> {
    this.t0 = performance.now();
    this.refresher = this.refreshLoop();
    const { rate, durationS } = this.options;
    let issued = 0;
    for (;;) {
      const elapsed = (performance.now() - this.t0) / 1000;
      if (elapsed >= durationS && !keepGoing()) break;
      const due = Math.floor(elapsed * rate);
      while (issued < due) this.issue(issued++);
      await new Promise((r) => setTimeout(r, 5));
    }
    this.issueSeconds = (performance.now() - this.t0) / 1000;
    this.loadEndedAt = this.now();
  }

  /** Waits until every command is acknowledged or refused, retrying until `giveUpS` after the load. */
  async settle(giveUpS: number): Promise<void> {
    this.giveUpAt = Date.now() + giveUpS * 1000;
    while (this.pending.size > 0) await Promise.race(this.pending);
    this.stopRefresh = true;
    await this.refresher;
    await Promise.all(this.pools.map((p) => p.end().catch(() => undefined)));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private issue(n: number): void {
    const r = this.random();
    // A role change makes a suspect's stream longer than one event, so that partners' order per stream is put to the test.
    const changeable = r >= 0.3 && r < 0.4 ? [...this.roles.keys()].filter((id) => !this.changingRole.has(id)) : [];
    const kind: CommandKind = r < 0.3 ? 'suspect' : r < 0.4 ? (changeable.length > 0 ? 'role' : 'suspect') : r < 0.75 ? 'crossing' : 'case';
    if (kind === 'role') {
      const suspectId = this.pick(changeable);
      const command = this.roleChange(suspectId);
      this.commands.push(command);
      this.changingRole.add(suspectId);
      const p = this.send(command).finally(() => {
        this.changingRole.delete(suspectId);
        this.pending.delete(p);
      });
      this.pending.add(p);
      return;
    }
    const command = this.build(kind, n);
    this.commands.push(command);
    const p = this.send(command).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private person(kind: 'suspect' | 'case' | 'traveller'): Person {
    const i = this.counters[kind]++;
    // Birth dates never shared across kinds (nor within one below ~9000 records), passports unique:
    // nobody matches anybody by accident, only the pairs the generator means to match.
    const base = { suspect: '1940-01-01', case: '1965-01-01', traveller: '1990-01-01' }[kind];
    const letter = { suspect: 'S', case: 'V', traveller: 'T' }[kind];
    return {
      name: `${FIRST[Math.floor(this.random() * FIRST.length)]} ${LAST[Math.floor(this.random() * LAST.length)]}`,
      birthDate: isoDate(base, i % 9000),
      nationality: 'MY',
      passports: [{ number: `${letter}${this.options.runTag}${i}`.toUpperCase(), country: 'MY' }],
    };
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private roleChange(suspectId: string): CommandRecord {
    const commandId = randomUUID();
    const role = this.pick(ROLES.filter((r) => r !== this.roles.get(suspectId)));
    return {
      commandId, kind: 'role', issuedAt: this.now(), attempts: 0, status: 'pending', agency: 'police',
      path: `/suspects/${suspectId}/role`, body: { commandId, role, reason: 'new evidence from the load' }, roleOf: suspectId,
    };
  }

  private build(kind: Exclude<CommandKind, 'role'>, n: number): CommandRecord {
    const commandId = randomUUID();
    const base = { commandId, kind, issuedAt: this.now(), attempts: 0, status: 'pending' as const };
    if (kind === 'suspect') {
      // A quarter of the suspects are the person of a case the ministry already holds (in its read model).
      const available = this.openCases.filter((id) => this.cases.has(id));
      let person: Person;
      let matchesCase: string | undefined;
      if (this.random() < 0.25 && available.length > 0) {
        matchesCase = this.pick(available);
        person = this.cases.get(matchesCase)!;
        this.cases.delete(matchesCase);
      } else {
        person = this.person('suspect');
      }
      return { ...base, agency: 'police', path: '/suspects', body: { commandId, person, role: this.pick(ROLES) }, ...(matchesCase ? { matchesCase } : {}) };
    }
    if (kind === 'crossing') {
      // A third of the crossings are by suspects immigration already watchlists.
      const known = this.watchlisted.filter((id) => this.suspects.has(id));
      let traveller: Person;
      let expectAlertFor: string | undefined;
      if (this.random() < 0.33 && known.length > 0) {
        expectAlertFor = this.pick(known);
        traveller = this.suspects.get(expectAlertFor)!;
      } else {
        traveller = this.person('traveller');
      }
      const body = {
        commandId,
        traveller: { name: traveller.name, birthDate: traveller.birthDate, nationality: traveller.nationality, passport: traveller.passports[0] },
        direction: n % 2 === 0 ? 'outbound' : 'inbound',
        checkpoint: this.pick(CHECKPOINTS),
        crossedAt: new Date().toISOString(),
      };
      return { ...base, agency: 'immigration', path: '/crossings', body, ...(expectAlertFor ? { expectAlertFor } : {}) };
    }
    const person = this.person('case');
    const body = {
      commandId,
      person,
      reportedBy: 'relative',
      lastKnownCountry: this.pick(COUNTRIES),
      reportedOn: isoDate('2023-01-01', Math.floor(this.random() * 365)),
    };
    return { ...base, agency: 'foreign-ministry', path: '/cases', body };
  }

  private count(error: string): void {
    this.errors[error] = (this.errors[error] ?? 0) + 1;
  }

  private async send(command: CommandRecord): Promise<void> {
    const slot = this.slots[command.agency];
    if (slot.busy >= this.options.maxInFlight) {
      await new Promise<void>((resolve) => slot.queue.push(resolve));
    } else {
      slot.busy++;
    }
    this.maxQueued = Math.max(this.maxQueued, slot.queue.length);
    try {
      await this.attempt(command);
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = slot.queue.shift();
      if (next) next();
      else slot.busy--;
    }
  }

  get queued(): number {
    return Object.values(this.slots).reduce((n, s) => n + s.queue.length, 0);
  }

  private async attempt(command: CommandRecord): Promise<void> {
    const targets = this.options.endpoints[command.agency];
    const body = JSON.stringify(command.body);
    for (;;) {
      if (Date.now() > this.giveUpAt) {
        command.status = 'abandoned';
        return;
      }
      const target = targets[this.roundRobin[command.agency]++ % targets.length];
      command.attempts++;
      try {
        const res = await fetch(`${target.url}${command.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.tokens[command.agency]}` },
          body,
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        const text = await res.text();
        if (res.status === 200 || res.status === 201) {
          const json = JSON.parse(text) as { replayed: boolean; result: CommandRecord['result'] };
          command.status = 'acked';
          command.ackedAt = this.now();
          command.replayedAck = json.replayed;
          command.result = json.result;
          if (command.kind === 'suspect' && json.result?.suspectId) {
            this.suspects.set(json.result.suspectId, (command.body as { person: Person }).person);
            this.roles.set(json.result.suspectId, (command.body as { role: string }).role);
          }
          if (command.kind === 'role') this.roles.set(command.roleOf!, (command.body as { role: string }).role);
          if (command.kind === 'case' && json.result?.caseId) this.cases.set(json.result.caseId, (command.body as { person: Person }).person);
          return;
        }
        this.count(`HTTP ${res.status}`);
        if (![429, 500, 502, 503, 504].includes(res.status)) {
          command.status = 'refused';
          command.refusal = `${res.status} ${text.slice(0, 500)}`;
          this.options.log(`refused: ${command.agency} POST ${command.path} ${command.commandId}: ${command.refusal}`);
          return;
        }
      } catch (error) {
        const name = (error as Error).name;
        this.count(name === 'TimeoutError' ? 'timeout' : `connection (${((error as { cause?: { code?: string } }).cause?.code) ?? name})`);
      }
      const backoff = Math.min(2000, 100 * 2 ** Math.min(command.attempts, 5)) * (0.5 + this.random());
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  private pool(url: string): Pool {
    const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000, idleTimeoutMillis: 5000 });
    pool.on('error', () => undefined);
    this.pools.push(pool);
    return pool;
  }

  /** Every second: which suspects immigration watchlists, which cases the ministry holds (their read models). */
  private async refreshLoop(): Promise<void> {
    const immigration = this.pool(this.options.immigrationDbUrl);
    const ministry = this.pool(this.options.ministryDbUrl);
    while (!this.stopRefresh) {
      try {
        const rows = (await immigration.query(`SELECT suspect->>'id' AS id FROM watchlist WHERE status = 'active' AND suspect IS NOT NULL`)).rows as { id: string }[];
        this.watchlisted = rows.map((r) => r.id);
      } catch {
        // Postgres restarting: keep the last list
      }
      try {
        const rows = (await ministry.query(`SELECT case_id::text AS id FROM victim_cases WHERE status NOT IN ('repatriated', 'closed') AND reclassified_as IS NULL AND NOT under_review`)).rows as { id: string }[];
        this.openCases = rows.map((r) => r.id);
      } catch {
        // idem
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  stats(): LoadStats {
    const acked = this.commands.filter((c) => c.status === 'acked');
    const latencies = acked.map((c) => c.ackedAt! - c.issuedAt).sort((a, b) => a - b);
    const byKind = { suspect: 0, role: 0, crossing: 0, case: 0 };
    for (const c of this.commands) byKind[c.kind]++;
    const attempts = this.commands.reduce((n, c) => n + c.attempts, 0);
    return {
      issued: this.commands.length,
      acked: acked.length,
      refused: this.commands.filter((c) => c.status === 'refused').length,
      abandoned: this.commands.filter((c) => c.status === 'abandoned' || c.status === 'pending').length,
      replayedAcks: acked.filter((c) => c.replayedAck).length,
      attempts,
      retried: this.commands.filter((c) => c.attempts > 1).length,
      errors: this.errors,
      byKind,
      issueSeconds: Number(this.issueSeconds.toFixed(1)),
      achievedRate: Number((this.commands.length / Math.max(this.issueSeconds, 0.001)).toFixed(1)),
      ackedDuringLoad: acked.filter((c) => c.ackedAt! <= this.loadEndedAt).length,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: Math.round(latencies[latencies.length - 1] ?? 0) },
      matchingCrossings: this.commands.filter((c) => c.expectAlertFor).length,
      matchingSuspects: this.commands.filter((c) => c.matchesCase).length,
      maxQueued: this.maxQueued,
    };
  }
}
