import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { unstorableText } from '@interlink/contracts';
import { LogPosition, compareLogPositions } from '@interlink/event-store';
import { Role, devIssuer, issueToken } from '@interlink/security';
import { waitFor } from '@interlink/testing';
import { ConsoleFixture, startConsole } from '../../services/task-force-console/test/harness';
import { ENTITY_KINDS } from '../../services/task-force-console/src/describe/entities';
import { RunningAgency, Stack, startStack } from '../e2e/stack';
import { nested } from './http-arbitraries';
import { Answer, Wire, send, sendRaw } from './http-client';
import { FuzzRequest, HeaderValues, OpenApiDocument, Operation, PathValues, operationsOf, requestsOf, wireOf } from './http-operations';

/**
 * Every operation of every service, driven from the service's own OpenAPI document with hostile
 * input (fast-check): no answer is a 5xx; every error is problem+json with a detail a person can
 * act on; a refused request writes nothing; the service still answers afterwards; and what was
 * accepted is projected and published. FUZZ_SEED and FUZZ_RUNS (runs per operation) override
 * the defaults printed at the start.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const USER = 'fuzz.tester';

interface Target {
  service: string;
  base: URL;
  agency: string;
  allowed: Role[];
  /** Roles that may not call anything on this service. */
  refused: Role[];
  dataSource: DataSource;
  /** The schemas of the tables requests may write (read models, which projections write after an accepted command, are elsewhere). */
  schemas: string[];
  token(roles: Role[], options?: { agency?: string; expired?: boolean }): string;
}

/** Ids the services answered with, by field name (`suspectId`...): valid path parameters. */
const known = new Map<string, Set<string>>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function harvest(value: unknown): void {
  const pending = [value];
  while (pending.length) {
    const item = pending.pop();
    if (Array.isArray(item)) pending.push(...item);
    else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (/(Id|^id)$/.test(key) && typeof child === 'string' && UUID.test(child)) {
          if (!known.has(key)) known.set(key, new Set());
          known.get(key)!.add(child);
        } else pending.push(child);
      }
    }
  }
}

/** A known id of that kind (the pool as it is when the operation's run starts), or any UUID. */
const idOf = (...kinds: string[]) => () => {
  const pool = kinds.flatMap((kind) => [...(known.get(kind) ?? [])]).sort();
  const any = fc.uuid({ version: [4, 7] });
  return pool.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: any }) : any;
};

/** Tables only consumers write, from partners' events: they may move while a request is refused. */
const WRITTEN_BY_CONSUMERS = ['interlink.inbox', 'interlink.consumer_checkpoints', 'interlink.parked_events', 'audit.archive'];
const watched = new Map<string, { tables: { name: string; where: string }[]; log: boolean }>();

/** What a request may have written, as rows per table and the newest event of the log. */
interface Snapshot {
  rows: Record<string, number>;
  lastEvent: number;
}

/**
 * Rows of every table a request may write: the schemas' tables but those only consumers write,
 * and of the data keys the agency's own. The log, when the database has one, is watched by its
 * newest position: what is appended after it counts when it is people's, not policies' (which act
 * on partners' events).
 */
async function snapshot(target: Target): Promise<Snapshot> {
  if (!watched.has(target.service)) {
    const names: string[] = (
      await target.dataSource.query(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1`,
        [target.schemas],
      )
    ).map((t: { name: string }) => t.name);
    const where: Record<string, string> = { 'interlink.data_keys': `owner = '${target.agency}'` };
    watched.set(target.service, {
      tables: names.filter((name) => !WRITTEN_BY_CONSUMERS.includes(name) && name !== 'interlink.events').map((name) => ({ name, where: where[name] ?? 'true' })),
      log: names.includes('interlink.events'),
    });
  }
  const { tables, log } = watched.get(target.service)!;
  const [row] = await target.dataSource.query(
    `SELECT ${[
      ...tables.map((t, i) => `(SELECT count(*)::int FROM ${t.name} WHERE ${t.where}) AS "${i}"`),
      log ? `(SELECT coalesce(max(position), 0)::int FROM interlink.events) AS "last"` : `0 AS "last"`,
    ].join(', ')}`,
  );
  return { rows: Object.fromEntries(tables.map((t, i) => [t.name, row[i]])), lastEvent: row.last };
}

/** What changed between two snapshots, as `table before -> after`. */
async function writes(target: Target, before: Snapshot, after: Snapshot): Promise<string[]> {
  const changed = Object.keys(after.rows)
    .filter((t) => before.rows[t] !== after.rows[t])
    .map((t) => `${t} ${before.rows[t]} -> ${after.rows[t]}`);
  if (after.lastEvent !== before.lastEvent) {
    const [{ n }] = await target.dataSource.query(
      `SELECT count(*)::int AS n FROM interlink.events WHERE position > $1 AND position <= $2 AND envelope->>'actor' NOT LIKE '%/policy/%'`,
      [before.lastEvent, after.lastEvent],
    );
    if (n > 0) changed.push(`interlink.events: ${n} appended`);
  }
  return changed;
}

function tokenFor(target: Target, caller: FuzzRequest['caller']): string | undefined {
  switch (caller) {
    case 'allowed':
      return target.token(target.allowed);
    case 'none':
      return undefined;
    case 'not-a-jwt':
      return 'not-a-token';
    case 'forged': {
      const [header, , signature] = target.token(target.allowed).split('.');
      const payload = Buffer.from(JSON.stringify({ iss: 'interlink-dev-issuer', sub: 'mallory', agency: target.agency, roles: ['supervisor', 'auditor'], iat: 1, exp: 9999999999 })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    }
    case 'other-agency':
      return target.token(target.allowed, { agency: 'somewhere-else' });
    case 'wrong-role':
      return target.token(target.refused);
    case 'expired':
      return target.token(target.allowed, { expired: true });
  }
}

/** What is wrong with an answer, as sentences; none when it is fine. */
function judge(answer: Answer, wrote: string[], unstorable: string | undefined): string[] {
  const problems: string[] = [];
  // Text Postgres cannot store is refused at the door (400), not accepted, nor left to the store (422).
  if (unstorable && ((answer.status >= 200 && answer.status < 300) || answer.status === 422)) {
    problems.push(`answered ${answer.status} to a body whose ${unstorable}`);
  }
  if (answer.status >= 500 || answer.status < 100) problems.push(`answered ${answer.status}`);
  if (answer.status >= 400) {
    if (!answer.contentType.startsWith('application/problem+json')) problems.push(`an error as ${answer.contentType || 'no content type'}, not application/problem+json`);
    let detail: unknown;
    try {
      detail = (JSON.parse(answer.body) as { detail?: unknown }).detail;
    } catch {
      problems.push('an error body that is not JSON');
    }
    if (typeof detail !== 'string' || detail.trim().length < 10) problems.push(`an error without a detail a person can act on (${JSON.stringify(detail)})`);
    else if (/TypeError|RangeError|SyntaxError|Cannot read prop|is not a function|of undefined|is undefined|\bat \S+:\d+/.test(detail)) problems.push(`an error whose detail leaks internals: ${detail}`);
    if (answer.status < 500 && wrote.length) problems.push(`refused, yet wrote: ${wrote.join(', ')}`);
  }
  return problems;
}

/** Where a JSON body the operation reads holds text Postgres cannot store; nothing for other bodies. */
function unstorableBody(op: Operation, wire: Wire): string | undefined {
  if (!op.body || !wire.body || !/^application\/json$/.test(wire.headers['content-type'] ?? '') || wire.headers['content-encoding']) return undefined;
  try {
    return unstorableText(JSON.parse(wire.body.toString('utf8')));
  } catch {
    return undefined;
  }
}

/** One request and the properties of its answer; throws a readable account of what went wrong. */
async function probe(target: Target, op: Operation, request: FuzzRequest): Promise<void> {
  const before = await snapshot(target);
  const wire = request.raw ? undefined : wireOf(request, tokenFor(target, request.caller));
  const answer = wire ? await send(target.base, wire) : await sendRaw(target.base, Buffer.from(request.raw!, 'latin1'));
  const wrote = await writes(target, before, await snapshot(target));
  const seen = answered.get(target.service) ?? new Map<number, number>();
  answered.set(target.service, seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1));
  if (answer.status >= 200 && answer.status < 300 && answer.contentType.startsWith('application/json')) {
    try {
      harvest(JSON.parse(answer.body));
    } catch {
      // A truncated large answer: its ids are not needed.
    }
  }
  const problems = judge(answer, wrote, wire && unstorableBody(op, wire));
  if (problems.length) {
    throw new Error(`${target.service} ${request.method} ${request.url.slice(0, 300)}: ${problems.join('; ')}\n  answer ${answer.status} ${answer.contentType}: ${answer.body.slice(0, 600)}`);
  }
}

async function fuzz(target: Target, doc: OpenApiDocument, values: { path: PathValues; headers: HeaderValues }): Promise<string[]> {
  const failures: string[] = [];
  let operations: Operation[];
  try {
    operations = operationsOf(target.service, doc);
  } catch (error) {
    return [(error as Error).message];
  }
  const started = Date.now();
  for (const op of operations) {
    try {
      await fc.assert(
        fc.asyncProperty(requestsOf(doc, op, values), (request) => probe(target, op, request)),
        { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
      );
    } catch (error) {
      failures.push(`${target.service} ${op.name}:\n${(error as Error).message}`);
    }
    const health = await send(target.base, { method: 'GET', path: '/health', headers: {} });
    if (health.status !== 200) failures.push(`${target.service} ${op.name}: /health answered ${health.status} afterwards`);
  }
  const statuses = [...(answered.get(target.service) ?? [])].sort(([a], [b]) => a - b);
  process.stdout.write(
    `HTTP fuzz of ${target.service}: ${operations.length} operations, ${statuses.reduce((n, [, count]) => n + count, 0)} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `answers ${statuses.map(([status, count]) => `${status} × ${count}`).join(', ')}\n`,
  );
  return failures;
}

/** How each service answered, by status: printed, to show what a run reached. */
const answered = new Map<string, Map<number, number>>();

/** Whether an agency has projected and published everything in its log now. */
async function caughtUp(agency: RunningAgency): Promise<string | true> {
  const head: LogPosition = await agency.store.head();
  const behind: string[] = [];
  const projections: { projection: string; tx_id: string; position: string }[] = await agency.dataSource.query(
    `SELECT projection, tx_id::text, position::text FROM interlink.projection_checkpoints`,
  );
  for (const p of projections) if (compareLogPositions({ txId: p.tx_id, position: p.position }, head) < 0) behind.push(`projection ${p.projection}`);
  const [relay] = await agency.dataSource.query(`SELECT tx_id::text, position::text FROM interlink.relay_checkpoints`);
  if (!relay || compareLogPositions({ txId: relay.tx_id, position: relay.position }, head) < 0) behind.push('relay');
  return behind.length ? `${agency.id}: ${behind.join(', ')} behind the head of the log` : true;
}

/** Whether a service is ready and its consumer has taken everything on its topics. */
async function readyAndIdle(base: URL, name: string): Promise<string | true> {
  const answer = await send(base, { method: 'GET', path: '/health/ready', headers: {} });
  const lag = (JSON.parse(answer.body || '{}') as { details?: { consumer?: { lag?: number } } }).details?.consumer?.lag;
  return answer.status === 200 && lag === 0 ? true : `${name} not ready or behind (${answer.status}): ${answer.body.slice(0, 400)}`;
}

describe('hostile HTTP input to every operation of every service (real Kafka, real Postgres)', () => {
  let stack: Stack;
  let console_: ConsoleFixture;
  const bases: Record<string, URL> = {};
  const agencies = (): RunningAgency[] => [stack.police, stack.immigration, stack.ministry];

  /** Waits until every relay has published, every projection applied and every consumer taken what there is. */
  async function settle(): Promise<void> {
    let last = '';
    await waitFor(
      'the network to settle',
      async () => {
        const states = [
          ...(await Promise.all(agencies().map(caughtUp))),
          ...(await Promise.all(agencies().map((a) => readyAndIdle(bases[a.id], a.id)))),
          await readyAndIdle(bases.audit, 'audit'),
        ];
        last = states.filter((s) => s !== true).join('; ');
        return states.every((s) => s === true);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${last}`);
    });
  }

  /** Tokens of the development issuer in `keysDir` for `agency`, or one that expired yesterday. */
  const tokens = (keysDir: string, agency: string): Target['token'] => {
    const issuer = devIssuer(keysDir);
    return (roles, { agency: other, expired } = {}) =>
      issueToken(issuer, { sub: USER, agency: other ?? agency, roles }, expired ? { now: new Date(Date.now() - 24 * 3600_000), ttlSeconds: 60 } : {});
  };
  const agencyTarget = (agency: RunningAgency, service: string): Target => ({
    service,
    base: bases[agency.id],
    agency: agency.id,
    allowed: ['supervisor'],
    refused: ['auditor'],
    dataSource: agency.dataSource,
    schemas: ['interlink'],
    token: tokens(stack.keysDir, agency.id),
  });
  const auditTarget = (): Target => ({
    service: 'audit',
    base: bases.audit,
    agency: stack.audit.id,
    allowed: ['auditor'],
    refused: ['supervisor'],
    dataSource: stack.audit.dataSource,
    schemas: ['audit', 'interlink'],
    token: tokens(stack.keysDir, stack.audit.id),
  });
  const consoleTarget = (): Target => ({
    service: 'task-force-console',
    base: new URL(console_.url),
    agency: console_.agencies['task-force'],
    allowed: ['supervisor'],
    refused: ['auditor'],
    dataSource: console_.app.get(DataSource),
    schemas: ['console', 'interlink'],
    token: tokens(path.dirname(console_.config.auth.keysDir), console_.agencies['task-force']),
  });

  const docOf = async (base: URL): Promise<OpenApiDocument> => JSON.parse((await send(base, { method: 'GET', path: '/docs-json', headers: {} })).body);

  const headerValues: HeaderValues = {
    'x-purpose': () => fc.constantFrom('fuzzing the HTTP API', 'case 2023/117: review of a border alert', 'révision à Genève'),
    'last-event-id': () => fc.nat({ max: 50 }).map(String),
  };

  async function seed(target: Target, url: string, body: object): Promise<void> {
    const answer = await send(target.base, wireOf({ caller: 'allowed', method: 'POST', url, headers: {}, body: { json: body } }, tokenFor(target, 'allowed')));
    if (answer.status >= 300) throw new Error(`seeding ${target.service} ${url} failed: ${answer.status} ${answer.body}`);
    harvest(JSON.parse(answer.body));
  }

  /** Valid path parameters: ids the services answered with, this agency's projections, the agencies of the run. */
  async function pathValues(agency: RunningAgency): Promise<PathValues> {
    const names = (await agency.dataSource.query(`SELECT projection FROM interlink.projection_checkpoints ORDER BY 1`)).map((r: { projection: string }) => r.projection);
    const agencyIds = agencies().map((a) => a.id);
    return {
      suspectId: idOf('suspectId'),
      syndicateId: idOf('syndicateId'),
      raidId: idOf('raidId'),
      alertId: idOf('alertId'),
      entryId: idOf('entryId'),
      caseId: idOf('caseId'),
      ref: idOf('suspectId', 'caseId', 'entryId', 'crossingId', 'expectationId'),
      name: () => fc.constantFrom(...names, 'no_such_projection'),
      agency: () => fc.constantFrom(...agencyIds, 'nowhere'),
      eventId: idOf('eventId'),
      kind: () => fc.constantFrom(...ENTITY_KINDS),
      id: idOf('suspectId', 'caseId', 'syndicateId'),
    };
  }

  beforeAll(async () => {
    process.stdout.write(`HTTP fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (runs per operation)\n`);
    // One request at a time needs few connections; the database server is shared.
    stack = await startStack(['police', 'immigration', 'foreign-ministry'], { audit: true, env: { DB_POOL_SIZE: '4' } });
    console_ = await startConsole();
    for (const agency of agencies()) bases[agency.id] = new URL((await agency.app.getUrl()).replace('[::1]', '127.0.0.1'));
    bases.audit = new URL((await stack.audit.app.getUrl()).replace('[::1]', '127.0.0.1'));

    // A record of each kind, so that commands on existing records are fuzzed too, not only 404s.
    const person = { name: 'Tan Ah Kow', birthDate: '1985-03-02', nationality: 'MY', passports: [{ number: 'A12345678', country: 'MY' }] };
    const police = agencyTarget(stack.police, 'police');
    const immigration = agencyTarget(stack.immigration, 'immigration');
    await seed(police, '/syndicates', { commandId: randomUUID(), name: 'La Molina ring', scamTypes: ['job-scam'], countries: ['PE'], places: [] });
    await seed(police, '/suspects', { commandId: randomUUID(), person, role: 'recruiter', syndicateId: [...known.get('syndicateId')!][0] });
    await seed(police, '/raids', { commandId: randomUUID(), place: 'La Molina', country: 'PE', conductedOn: '2023-10-17' });
    await seed(immigration, '/watchlist', { commandId: randomUUID(), person, reason: 'Interpol notice' });
    await seed(immigration, '/crossings', {
      commandId: randomUUID(),
      traveller: { name: person.name, birthDate: person.birthDate, nationality: person.nationality, passport: person.passports[0] },
      direction: 'outbound',
      checkpoint: 'KLIA',
      crossedAt: '2023-10-19T08:15:00Z',
    });
    await seed(agencyTarget(stack.ministry, 'foreign-ministry'), '/cases', { commandId: randomUUID(), person: { name: 'Siti Nurhaliza binti Ahmad', nationality: 'MY' }, reportedBy: 'relative', reportedOn: '2023-09-01' });
    await settle();
  }, 300_000);
  afterAll(async () => {
    await console_?.stop();
    await stack?.stop();
  });

  it('refuses at the door, saying what is wrong (naming the field) and writing nothing, what fuzzing found the services could not take', async () => {
    const police = agencyTarget(stack.police, 'police');
    const immigration = agencyTarget(stack.immigration, 'immigration');
    const audit = auditTarget();
    const purpose = { 'X-Purpose': 'fuzzing the HTTP API' };
    const person = { name: 'Tan Ah Kow', nationality: 'MY' };
    const traveller = { name: 'Tan Ah Kow', birthDate: '1985-03-02', nationality: 'MY', passport: { number: 'A12345678', country: 'MY' } };
    const crossing = { commandId: randomUUID(), direction: 'inbound', checkpoint: 'KLIA', crossedAt: '2023-10-19T08:15:00Z' };
    const syndicate = JSON.stringify({ commandId: randomUUID(), name: 'Ring', scamTypes: ['job-scam'], countries: ['KH'], places: [] });
    const post = (url: string, json: unknown): FuzzRequest => ({ caller: 'allowed', method: 'POST', url, headers: {}, body: { json } });
    const get = (url: string): FuzzRequest => ({ caller: 'allowed', method: 'GET', url, headers: purpose });
    const cases: [Target, FuzzRequest, number, string][] = [
      [police, post('/suspects', { commandId: randomUUID(), person: { ...person, name: 'Tan Ah Kow\ud83e' }, role: 'recruiter' }), 400, 'body field /person/name holds a lone UTF-16 surrogate (U+D83E), which is not a Unicode character'],
      [police, post('/syndicates', { ...JSON.parse(syndicate), places: ['\udc00'] }), 400, 'body field /places/0 holds a lone UTF-16 surrogate (U+DC00), which is not a Unicode character'],
      [police, get('/suspects?status=arrested%00'), 400, 'query parameter status holds a NUL character (U+0000)'],
      [police, get('/suspects/018f3f5e-1c2d-7a00-8000-000000000001%00'), 400, 'path parameter suspectId holds a NUL character (U+0000)'],
      [police, get('/suspects/%ED%A0%80'), 400, 'The request path holds a percent-encoding that is not UTF-8'],
      [police, post('/suspects', { commandId: randomUUID(), person: { ...person, aliases: nested(5000) }, role: 'recruiter' }), 400, 'body field /person nests objects and arrays more than 32 levels deep'],
      [police, post('/syndicates', [JSON.parse(syndicate)]), 400, 'the body must be a JSON object with the fields of the request, not a list'],
      [police, { ...post('/syndicates', null), body: { text: syndicate, contentType: 'text/plain' } }, 415, 'Send the request body as JSON with Content-Type: application/json; it came as "text/plain".'],
      [police, { ...post('/syndicates', null), body: { text: syndicate, contentType: 'application/json', encoding: 'gzip' } }, 400, 'The request body does not decompress as its Content-Encoding says'],
      [immigration, post('/crossings', crossing), 400, 'traveller must be an object'],
      [immigration, post('/crossings', { ...crossing, traveller: { ...traveller, passport: null } }), 400, 'traveller.passport must be an object'],
      [immigration, post('/crossings', { ...crossing, traveller, crossedAt: '2023-W01' }), 400, 'crossedAt must be a date and time with its zone between the years 100 and 9999, e.g. 2023-10-19T08:15:00Z'],
      [immigration, get('/crossings?checkpoint=KLIA%00'), 400, 'query parameter checkpoint holds a NUL character (U+0000)'],
      [audit, get('/history?term=Tan%00'), 400, 'query parameter term holds a NUL character (U+0000)'],
      [audit, get('/history?term=%09%0D%0A'), 400, 'term must hold at least 3 characters besides the spaces at its ends, e.g. a passport number or a name'],
      [audit, get(`/agencies/${stack.police.id}/read-models?from=3`), 400, 'property from should not exist'],
    ];
    const outcomes: string[] = [];
    for (const [target, request, status, expected] of cases) {
      const before = await snapshot(target);
      const answer = await send(target.base, wireOf(request, tokenFor(target, 'allowed')));
      const wrote = await writes(target, before, await snapshot(target));
      const detail = answer.contentType.startsWith('application/problem+json') ? (JSON.parse(answer.body) as { detail: string }).detail : '';
      if (answer.status !== status || !detail.includes(expected) || wrote.length) {
        outcomes.push(`${target.service} ${request.method} ${request.url}: ${answer.status} ${answer.body.slice(0, 400)}${wrote.length ? `; wrote ${wrote.join(', ')}` : ''}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('refuses a command whose event Kafka could not carry, instead of accepting what the relay could never publish', async () => {
    const police = agencyTarget(stack.police, 'police');
    const [raidId] = [...known.get('raidId')!];
    // The most the DTO allows: 1000 persons, names of 200 characters of three UTF-8 bytes, five passports each.
    const persons = Array.from({ length: 1000 }, (_, i) => ({
      name: '北'.repeat(200),
      birthDate: '1990-01-01',
      nationality: 'MY',
      passports: Array.from({ length: 5 }, (_, j) => ({ number: `P${i}-${j}`.padEnd(24, '0'), country: 'MY' })),
    }));
    const body = { commandId: randomUUID(), place: 'La Molina', country: 'PE', rescuedOn: '2023-10-17', persons };
    const before = await snapshot(police);
    const answer = await send(police.base, wireOf({ caller: 'allowed', method: 'POST', url: `/raids/${raidId}/rescues`, headers: {}, body: { json: body } }, tokenFor(police, 'allowed')));
    expect([answer.status, answer.contentType, JSON.parse(answer.body).detail]).toEqual([
      422,
      expect.stringMatching(/^application\/problem\+json/),
      expect.stringMatching(/^the event intel\.police\.victims-rescued would take \d+ bytes, more than the 921600 an event may take on Kafka; record it as several smaller commands$/),
    ]);
    expect(await writes(police, before, await snapshot(police))).toEqual([]);
  });

  // Each service is fuzzed on its own, once the network has settled: a refused request must change
  // no row, and only then does no partner's consumer write into the database being watched.
  const FUZZ_TIMEOUT_MS = 900_000;

  it.each([
    ['police', () => stack.police],
    ['immigration', () => stack.immigration],
    ['foreign-ministry', () => stack.ministry],
  ] as const)('%s: every operation answers hostile input with a clear 4xx or success, never a 5xx, and writes nothing when it refuses', async (service, agencyOf) => {
    const target = agencyTarget(agencyOf(), service);
    const failures = await fuzz(target, await docOf(target.base), { path: await pathValues(agencyOf()), headers: headerValues });
    await settle();
    expect(failures).toEqual([]);
  }, FUZZ_TIMEOUT_MS);

  it('audit: every operation answers hostile input with a clear 4xx or success, never a 5xx, and writes nothing when it refuses', async () => {
    const audit = auditTarget();
    expect(await fuzz(audit, await docOf(audit.base), { path: await pathValues(stack.police), headers: headerValues })).toEqual([]);
  }, FUZZ_TIMEOUT_MS);

  it('task-force console: every operation answers hostile input with a clear 4xx or success, never a 5xx, and writes nothing when it refuses', async () => {
    const target = consoleTarget();
    const published = await console_.publish('police', 'syndicate-fuzz', {
      type: 'intel.police.syndicate-identified',
      data: { syndicateId: randomUUID(), name: 'Ring', scamTypes: ['job-scam'], countries: ['KH'], places: [] },
    });
    known.set('eventId', new Set([published.id]));
    await waitFor('the console to take the published event', async () => (await readyAndIdle(target.base, 'console')) === true && (await snapshot(target)).rows['console.feed'] > 0);
    const values: PathValues = { ...(await pathValues(stack.police)), agency: () => fc.constantFrom(...Object.values(console_.agencies), 'nowhere') };
    expect(await fuzz(target, await docOf(target.base), { path: values, headers: headerValues })).toEqual([]);
  }, FUZZ_TIMEOUT_MS);

  it('readiness names a projection that cannot apply an event, with the event and the reason, until the cause is gone', async () => {
    const police = agencyTarget(stack.police, 'police');
    const ready = () => send(police.base, { method: 'GET', path: '/health/ready', headers: {} });
    // A constraint the read model does not expect stands for any cause a handler cannot get past.
    await stack.police.dataSource.query(`ALTER TABLE raids ADD CONSTRAINT fuzz_no_poison CHECK (place <> 'poison')`);
    try {
      const raid = { commandId: randomUUID(), place: 'poison', country: 'PE', conductedOn: '2023-10-17' };
      const accepted = await send(police.base, wireOf({ caller: 'allowed', method: 'POST', url: '/raids', headers: {}, body: { json: raid } }, tokenFor(police, 'allowed')));
      expect(accepted.status).toBe(201);
      const [event] = JSON.parse(accepted.body).result.events;
      const report = await waitFor('readiness to report the failing projection', async () => {
        const answer = await ready();
        return answer.status === 503 && (JSON.parse(answer.body) as { details: Record<string, { status: string }> }).details.projections.status === 'down' && JSON.parse(answer.body);
      });
      expect(report.details.projections).toMatchObject({
        status: 'down',
        message: 'raids cannot apply the log; read models are behind until the cause is fixed',
        failing: [{ projection: 'raids', event: { id: event.id, type: 'intel.police.raid-conducted' }, reason: expect.stringContaining('fuzz_no_poison') }],
      });
    } finally {
      await stack.police.dataSource.query(`ALTER TABLE raids DROP CONSTRAINT fuzz_no_poison`);
    }
    await waitFor('readiness once the projection has applied the event', async () => (await ready()).status === 200, { timeoutMs: 90_000 });
  }, 180_000);

  it('projects and publishes everything it accepted: each agency reaches the head of its log', async () => {
    await settle();
    for (const agency of agencies()) expect(await caughtUp(agency)).toBe(true);
  }, 120_000);
});
