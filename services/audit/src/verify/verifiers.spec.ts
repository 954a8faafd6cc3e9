import { generateKeyPairSync } from 'node:crypto';
import { GENESIS_HASH, SigningKey, TrustStore, chainAndSign } from '@interlink/security';
import { ChainVerifier, LogRecord, VerificationReport } from './chain-verifier';
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

  it.each(cases)('on %s', async (_name, values, range) => {
    const expected = sequential(values, range);
    for (const chunkSize of [4, 1000]) {
      const parallel = await new ParallelChainVerifier(trust, AGENCY, { workers: 2, chunkSize, range }).verify(records(values));
      expect({ chunkSize, report: parallel }).toEqual({ chunkSize, report: expected });
    }
  });

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
