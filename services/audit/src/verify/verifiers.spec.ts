import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { GENESIS_HASH, SigningKey, TrustStore, chainAndSign } from '@interlink/security';
import { ChainVerifier, LogRecord, RecentHashes, VerificationReport } from './chain-verifier';
import { ParallelChainVerifier } from './parallel-verifier';

// Worker threads, no I/O: the parallel verifier must give the report the sequential one gives, on
// an intact log and on every kind of tampering, with chunks far smaller than a signed batch and
// larger, so that batches, duplicates and problems fall across chunk and worker boundaries.

const AGENCY = 'police';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key: SigningKey = { agencyId: AGENCY, keyId: 'police:test', privateKey, publicKey };
const trust = new TrustStore().add({ agencyId: AGENCY, keyId: key.keyId, publicKey });
const BATCH = 7;
const COUNT = 60;

function draft(sequence: number): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `0190a1b2-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    source: `/agencies/${AGENCY}`,
    type: 'intel.police.suspect-identified',
    subject: `case-${sequence % 4}`,
    time: `2026-03-01T10:00:${String(sequence % 60).padStart(2, '0')}.000Z`,
    datacontenttype: 'application/json',
    data: { name: 'Somchai P.', passports: [{ number: `A${sequence}`, country: 'TH' }] },
    sequence,
    classification: 'AMBER',
    releasableto: 'immigration',
  };
}

/** A signed log of COUNT events in batches of BATCH, as the relay writes it. */
function signedLog(): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  let previous = GENESIS_HASH;
  for (let first = 1; first <= COUNT; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, COUNT - first + 1) }, (_, i) => draft(first + i));
    const signed = chainAndSign(key, batch as never[], previous) as unknown as Record<string, unknown>[];
    previous = signed[signed.length - 1].hash as string;
    events.push(...signed);
  }
  return events;
}

const log = signedLog();
const text = (e: Record<string, unknown>) => JSON.stringify(e);
const records = (values: (string | null)[]): LogRecord[] =>
  values.map((v, i) => ({ position: `test[0]@${i}`, value: v === null ? null : Buffer.from(v) }));
const edit = (index: number, change: (e: Record<string, unknown>) => void) =>
  log.map((e, i) => {
    const copy = JSON.parse(text(e));
    if (i === index) change(copy);
    return text(copy);
  });
const intact = log.map(text);

const WHOLE = {};
const cases: [string, (string | null)[], { from?: number; to?: number }][] = [
  ['intact', intact, WHOLE],
  ['intact with a republished batch', [...intact.slice(0, 30), ...intact.slice(21, 28), ...intact.slice(30)], WHOLE],
  ['an edited payload', edit(17, (e) => ((e.data as { name: string }).name = 'Someone else')), WHOLE],
  ['an edited attribute', edit(9, (e) => (e.time = '2026-03-02T00:00:00.000Z')), WHOLE],
  ['a missing event', [...intact.slice(0, 20), ...intact.slice(21)], WHOLE],
  ['two events swapped', [...intact.slice(0, 30), intact[31], intact[30], ...intact.slice(32)], WHOLE],
  ['an event far ahead of its place', [...intact.slice(0, 10), intact[50], ...intact.slice(10, 50), ...intact.slice(51)], WHOLE],
  ['a second event claiming a taken sequence', [...intact.slice(0, 12), edit(5, (e) => (e.subject = 'case-x'))[5], ...intact.slice(12)], WHOLE],
  ['a forged signature', edit(40, (e) => (e.signature = (e.signature as string).replace(/\.([A-Za-z0-9_-])/, (_, c) => `.${c === 'A' ? 'B' : 'A'}`))), WHOLE],
  ['a record that is not JSON', [...intact.slice(0, 15), '{"sequence": 16,', ...intact.slice(16)], WHOLE],
  ['a record without a value', [...intact.slice(0, 44), null, ...intact.slice(45)], WHOLE],
  ['a record without a sequence', edit(3, (e) => delete e.sequence), WHOLE],
  ['an event from another agency', edit(25, (e) => (e.source = '/agencies/someone-else')), WHOLE],
  ['an attribute with no canonical form', edit(33, (e) => (e.subject = 'case-\ud800')), WHOLE],
  ['a duplicate that is not faithful', [...intact.slice(0, 30), edit(22, (e) => ((e.data as { name: string }).name = 'X'))[22], ...intact.slice(30)], WHOLE],
  ['a range of an intact log', intact, { from: 10, to: 40 }],
  ['a range with a problem inside', edit(35, (e) => (e.time = '2026-03-03T00:00:00.000Z')), { from: 10, to: 40 }],
  ['a range with a problem outside', edit(50, (e) => (e.time = '2026-03-03T00:00:00.000Z')), { from: 10, to: 40 }],
];

function sequential(values: (string | null)[], range: { from?: number; to?: number }): VerificationReport {
  const verifier = new ChainVerifier(trust, AGENCY, range);
  for (const record of records(values)) if (!verifier.push(record)) break;
  return verifier.finish();
}

describe('ParallelChainVerifier gives the ChainVerifier report', () => {
  it('on an intact log: everything verified', async () => {
    const report = await new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize: 5 }).verify(records(intact));
    expect(report).toEqual({ agency: AGENCY, ok: true, verified: COUNT, duplicates: 0, firstSequence: 1, lastSequence: COUNT });
  });

  it('on an intact log, from workers that answer each chunk as one checked run', async () => {
    const verifier = new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize: 5, workersAfter: 0 });
    const report = await verifier.verify(records(intact));
    expect(report).toEqual(sequential(intact, {}));
    expect(verifier.shares).toEqual({ here: 0, workers: COUNT / 5, runs: COUNT / 5 });
  });

  it('on a log with a republished batch, linking the chunks that repeat record by record', async () => {
    const values = [...intact.slice(0, 30), ...intact.slice(20, 30), ...intact.slice(30)];
    const verifier = new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize: 5, workersAfter: 0 });
    const report = await verifier.verify(records(values));
    expect(report).toEqual({ agency: AGENCY, ok: true, verified: COUNT, duplicates: 10, firstSequence: 1, lastSequence: COUNT });
    // The two chunks of sequences 21 to 30 that come again are checked runs too, but not next in the log.
    expect(verifier.shares).toEqual({ here: 0, workers: (COUNT + 10) / 5, runs: COUNT / 5 });
  });

  it.each(cases)('on %s', async (_name, values, range) => {
    const expected = sequential(values, range);
    for (const chunkSize of [4, 1000]) {
      // Workers only, and this thread only (a log this small is under the default workersAfter).
      for (const workersAfter of [0, undefined]) {
        const verifier = new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize, range, workersAfter });
        const parallel = await verifier.verify(records(values));
        expect({ chunkSize, workersAfter, report: parallel }).toEqual({ chunkSize, workersAfter, report: expected });
        expect(workersAfter === 0 ? verifier.shares.here : verifier.shares.workers).toBe(0);
      }
    }
  });

  it('on a log whose first chunks this thread checks and the rest the workers do', async () => {
    const verifier = new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize: 4, workersAfter: 4 });
    // The log arrives slowly at first: the workers start after the first chunk, and the rest of
    // the log comes once one is ready.
    async function* slowStart(): AsyncGenerator<LogRecord> {
      const all = [...records(intact)];
      yield* all.slice(0, 8);
      for (let waited = 0; verifier.workersUp === 0 && waited < 60_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      yield* all.slice(8);
    }
    const report = await verifier.verify(slowStart());
    expect(report).toEqual(sequential(intact, {}));
    expect(verifier.shares.here).toBeGreaterThanOrEqual(1);
    expect(verifier.shares.workers).toBeGreaterThanOrEqual(1);
    expect(verifier.shares.here + verifier.shares.workers).toBe(COUNT / 4);
  }, 70_000);

  it('finds each kind of problem the sequential verifier names', () => {
    const kinds = Object.fromEntries(cases.map(([name, values, range]) => [name, sequential(values, range).problem?.kind ?? 'ok']));
    expect(kinds).toEqual({
      intact: 'ok',
      'intact with a republished batch': 'ok',
      'an edited payload': 'edited',
      'an edited attribute': 'edited',
      'a missing event': 'missing',
      'two events swapped': 'reordered',
      'an event far ahead of its place': 'reordered',
      'a second event claiming a taken sequence': 'inserted',
      'a forged signature': 'badly-signed',
      'a record that is not JSON': 'malformed',
      'a record without a value': 'malformed',
      'a record without a sequence': 'malformed',
      'an event from another agency': 'inserted',
      'an attribute with no canonical form': 'edited',
      'a duplicate that is not faithful': 'inserted',
      'a range of an intact log': 'ok',
      'a range with a problem inside': 'edited',
      'a range with a problem outside': 'ok',
    });
  });
});

describe('ParallelChainVerifier in a process started with options a thread cannot take', () => {
  it('then its workers still start (they inherit what they can)', () => {
    const verifier = JSON.stringify(path.join(__dirname, 'parallel-verifier.ts'));
    const security = JSON.stringify(path.join(__dirname, '../../../../libs/security/src/index.ts'));
    const script = `const { ParallelChainVerifier } = require(${verifier}); const { TrustStore } = require(${security});
      new ParallelChainVerifier(new TrustStore(), 'police').verify([])
        .then((report) => console.log(JSON.stringify(report)), (error) => { console.error(error.message); process.exit(1); });`;
    const output = execFileSync(process.execPath, ['--max-old-space-size=300', '-r', '@swc-node/register', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: path.join(__dirname, '../../../..'),
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.json' },
    });
    expect(JSON.parse(output)).toEqual({ agency: 'police', ok: true, verified: 0, duplicates: 0 });
  }, 70_000);
});

describe('RecentHashes', () => {
  const filled = (size: number, from: number, to: number) => {
    const recent = new RecentHashes(size);
    for (let sequence = from; sequence <= to; sequence++) recent.add(sequence, `h${sequence}`);
    return recent;
  };
  it('then an empty one knows no sequence', () => expect(new RecentHashes(3).get(0)).toBeUndefined());
  it('then it gives the hash of each of the last `size` sequences', () =>
    expect([7, 8, 9, 10].map((s) => filled(4, 5, 10).get(s))).toEqual(['h7', 'h8', 'h9', 'h10']));
  it('then it has forgotten the sequences before them', () => expect([5, 6].map((s) => filled(4, 5, 10).get(s))).toEqual([undefined, undefined]));
  it('then it knows no sequence before the first it was given, though its ring has room', () =>
    expect([4, 5, 6].map((s) => filled(10, 5, 6).get(s))).toEqual([undefined, 'h5', 'h6']));
  it('then it knows no sequence after the last', () => expect(filled(10, 5, 6).get(7)).toBeUndefined());
  it('then over many rounds of its ring it still holds the last `size`', () => {
    const recent = filled(1000, 1, 250_000);
    expect([248_999, 249_001, 250_000, 250_001].map((s) => recent.get(s))).toEqual([undefined, 'h249001', 'h250000', undefined]);
  });
  it('then a sequence that does not follow the last is refused', () => expect(() => filled(4, 1, 3).add(5, 'h5')).toThrow(/consecutive/));
});
