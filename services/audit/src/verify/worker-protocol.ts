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

export type ChunkAnswer = { chunk: number; inspected: Inspected[] } | { chunk: number; error: string };

/** What a worker says once it has loaded its code and keys and listens for chunks. */
export interface WorkerReady {
  ready: true;
}
