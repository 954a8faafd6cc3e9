// A worker thread of ParallelChainVerifier: reads and checks the records of the chunks it is
// sent, each event on its own (hashes, payload, batch signature), and answers with what linking
// needs. Linking itself stays on the calling thread, in log order.
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { SignatureCache, TrustStore } from '@interlink/security';
import { checkedRun, inspectValues } from './inspection';
import { ChunkRequest, ChunkAnswer, WorkerReady, WorkerSetup } from './worker-protocol';

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
    const values: (Buffer | null)[] = [];
    let offset = 0;
    for (const length of request.lengths) {
      values.push(length < 0 ? null : bytes.subarray(offset, offset + length));
      if (length > 0) offset += length;
    }
    const inspected = inspectValues(values, setup.agency, setup.range, trust, cache);
    const run = checkedRun(inspected, setup.range);
    answer = run ? { chunk: request.chunk, run } : { chunk: request.chunk, inspected };
  } catch (error) {
    answer = { chunk: request.chunk, error: (error as Error).message };
  }
  parentPort!.postMessage(answer);
});

parentPort!.postMessage({ ready: true } satisfies WorkerReady);
