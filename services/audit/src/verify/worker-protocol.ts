import type { Inspected } from './inspection';

/** What a verify worker is started with. */
export interface WorkerSetup {
  agency: string;
  range: { from?: number; to?: number };
  /** The trusted public keys, as DER SubjectPublicKeyInfo (KeyObjects stay on their thread). */
  keys: { agencyId: string; keyId: string; spki: Uint8Array; notAfter?: string }[];
}

/** A run of consecutive records: their bytes one after the other, and each one's length (-1: no value). */
export interface ChunkRequest {
  chunk: number;
  bytes: ArrayBuffer;
  lengths: Int32Array;
}

/**
 * A chunk answered whole: every record an event in range with all its checks holding, their
 * sequences consecutive and each linked to the one before it. What linking then needs of it is
 * its ends and its hashes (joined by newlines), far less to send back than an Inspected per record.
 */
export interface CheckedRun {
  first: number;
  count: number;
  /** The first event's prevhash: the hash of the event before the run. */
  prevhash: string;
  hashes: string;
}

export type ChunkAnswer = { chunk: number; inspected: Inspected[] } | { chunk: number; run: CheckedRun } | { chunk: number; error: string };

/** What a worker says once it has loaded its code and keys and listens for chunks. */
export interface WorkerReady {
  ready: true;
}
