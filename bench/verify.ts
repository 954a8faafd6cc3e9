// Verify: events/s of the audit service's signature and chain verification over a signed log
// built as the relay builds it (chainAndSign, in batches of 500): the single-thread ChainVerifier
// and the ParallelChainVerifier (worker threads), measured on the same records. BENCH_VERIFIER
// picks verifiers by the start of their name.
import os from 'node:os';
import { interlinkRegistry, topicFor } from '@interlink/contracts';
import { GENESIS_HASH, TrustStore, chainAndSign } from '@interlink/security';
import { ChainVerifier, LogRecord, VerificationReport } from '../services/audit/src/verify/chain-verifier';
import { ParallelChainVerifier } from '../services/audit/src/verify/parallel-verifier';
import { BenchContext } from './context';
import { PoliceEvents, sealedStories } from './events';
import { say } from './infra';
import { secondsSince } from './stats';

/** The relay's default batch: one signature per batch. */
const SIGNED_BATCH = 500;
const TARGET = 50_000;

export interface LogVerifier {
  name: string;
  /** Cores it can keep busy. */
  cores: number;
  verify(records: LogRecord[], trust: TrustStore, agency: string): Promise<VerificationReport>;
}

export const VERIFIERS: LogVerifier[] = [
  {
    name: 'ChainVerifier (audit service), one process',
    cores: 1,
    async verify(records, trust, agency) {
      const verifier = new ChainVerifier(trust, agency);
      for (const record of records) if (!verifier.push(record)) break;
      return verifier.finish();
    },
  },
  {
    name: `ParallelChainVerifier (audit service), ${os.availableParallelism()} worker threads`,
    cores: os.availableParallelism(),
    verify: (records, trust, agency) => new ParallelChainVerifier(trust, agency).verify(records),
  },
];

/** The auditors' copy of a police log of `count` events, as Kafka records. */
export function signedLog(ctx: BenchContext, count: number): LogRecord[] {
  const { run } = ctx;
  const registry = interlinkRegistry();
  const generator = new PoliceEvents(`${run.id}v`, run.ids.immigration, 5);
  const key = run.signingKey('police');
  const topic = topicFor(run.ids.police, run.ids.audit);
  const records: LogRecord[] = [];
  let previous = GENESIS_HASH;
  while (records.length < count) {
    const { envelopes } = sealedStories(generator, registry, run.ids, SIGNED_BATCH / 4);
    const batch = envelopes.slice(0, count - records.length).map((e, i) => ({ ...e, sequence: records.length + i + 1 }));
    const signed = chainAndSign(key, batch, previous);
    previous = signed[signed.length - 1].hash;
    for (const e of signed) records.push({ position: `${topic}[0]@${records.length}`, value: Buffer.from(JSON.stringify(e)) });
  }
  return records;
}

export async function verifyBench(ctx: BenchContext): Promise<void> {
  const { run } = ctx;
  const count = ctx.options.sizes.verifyEvents;
  say(`verify: building a signed chain of ${count} events (not timed)`);
  const buildStart = process.hrtime.bigint();
  const records = signedLog(ctx, count);
  const megabytes = records.reduce((n, r) => n + (r.value?.length ?? 0), 0) / 1e6;
  say(`verify: built in ${secondsSince(buildStart).toFixed(0)} s (${megabytes.toFixed(0)} MB)`);
  const trust = TrustStore.fromDirectory(run.keysDir);

  // The floor under any verifier: reading each record's JSON.
  let start = process.hrtime.bigint();
  for (const r of records) JSON.parse(r.value!.toString('utf8'));
  const parseRate = count / secondsSince(start);

  const only = process.env.BENCH_VERIFIER;
  for (const verifier of VERIFIERS.filter((v) => !only || v.name.startsWith(only))) {
    start = process.hrtime.bigint();
    const report = await verifier.verify(records, trust, run.ids.police);
    const seconds = secondsSince(start);
    if (!report.ok || report.verified !== count) throw new Error(`${verifier.name} did not verify the log: ${JSON.stringify(report)}`);
    const rate = count / seconds;
    ctx.detail(`verify.${verifier.name}`, { events: count, signedBatch: SIGNED_BATCH, seconds, megabytes, cores: verifier.cores, machineCores: os.cpus().length });
    ctx.figure({
      bench: 'verify',
      name: `${verifier.name}: hashes, links and batch signatures of ${count} events`,
      unit: 'events/s',
      value: rate,
      baseline: { name: 'JSON.parse of the same records alone', value: parseRate },
      ratio: rate / parseRate,
      target: { text: `at least ${TARGET.toLocaleString('en-US')} events/s (on both cores)`, pass: rate >= TARGET },
      note: `uses ${verifier.cores} of ${os.cpus().length} cores`,
    });
  }
}
