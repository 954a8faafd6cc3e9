// A worker thread of ParallelChainVerifier: reads and checks the records of the chunks it is
// sent, each event on its own (hashes, payload, batch signature), and answers with what linking
// needs. Linking itself stays on the calling thread, in log order.
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { SignatureCache, TrustStore } from '@interlink/security';
import { ChainLinker } from './chain-verifier';
import { Inspected, checkEnvelope, inspectRecord } from './inspection';
import { ChunkRequest, ChunkAnswer, WorkerSetup } from './worker-protocol';

const setup = workerData as WorkerSetup;
const trust = new TrustStore();
for (const key of setup.keys) {
  trust.add({
    agencyId: key.agencyId,
    keyId: key.keyId,
    publicKey: createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' }),
    ...(key.notAfter ? { notAfter: new Date(key.notAfter) } : {}),
  });
}
const cache = new SignatureCache();

parentPort!.on('message', (request: ChunkRequest) => {
  let answer: ChunkAnswer;
  try {
    const bytes = Buffer.from(request.bytes);
    const inspected: Inspected[] = [];
    let offset = 0;
    for (const length of request.lengths) {
      const value = length < 0 ? null : bytes.subarray(offset, offset + length);
      if (length > 0) offset += length;
      const { inspected: record, envelope } = inspectRecord(value);
      if (envelope && ChainLinker.needsChecks(record.sequence, setup.range)) record.checks = checkEnvelope(envelope, setup.agency, trust, cache);
      inspected.push(record);
    }
    answer = { chunk: request.chunk, inspected };
  } catch (error) {
    answer = { chunk: request.chunk, error: (error as Error).message };
  }
  parentPort!.postMessage(answer);
});
