export { canonicalJson, dataDigest } from './canonical-json';
export { GENESIS_HASH, UNHASHED_ATTRIBUTES, chainBatch, eventHash, verifyChain } from './chain';
export type { ChainCheck } from './chain';
export { merkleProof, merkleRoot, rootFromProof } from './merkle';
export { signBatch, verifyEnvelope } from './signing';
export type { SigningKey, VerifyFailure, VerifyResult } from './signing';
export { TrustStore } from './trust-store';
export type { TrustedKey } from './trust-store';
export { loadOrCreateDevKey, loadSigningKey, rotateDevKey } from './keys';
