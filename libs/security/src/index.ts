export { canonicalJson, dataDigest } from './canonical-json';
export { isWithheld } from './event-text';
export { GENESIS_HASH, UNHASHED_ATTRIBUTES, chainBatch, eventHash, payloadDigest, verifyChain } from './chain';
export {
  DATA_KEY_BYTES,
  SealedDataError,
  commitmentForm,
  newDataKey,
  openData,
  openDataInPlace,
  openPart,
  redactData,
  sealData,
  sealPart,
  sealedDigest,
  sealedRefs,
  withholdPart,
} from './personal-data';
export type { ChainCheck } from './chain';
export { merkleProof, merkleRoot, rootFromProof } from './merkle';
export { SignatureCache, chainAndSign, signBatch, verifyEnvelope } from './signing';
export { KEY_SEAL_HEADERS, signKeyDelivery, verifyKeyDelivery } from './key-delivery';
export type { KeyStatement } from './key-delivery';
export type { SigningKey, VerifyFailure, VerifyResult } from './signing';
export { TrustStore } from './trust-store';
export type { TrustedKey } from './trust-store';
export { loadOrCreateDevKey, loadSigningKey, rotateDevKey } from './keys';
export { ROLES, TokenError, VerifiedSignatures, issueToken, verifyToken } from './tokens';
export type { Role, TokenClaims } from './tokens';
export { DEV_ISSUER, DEV_ISSUER_FOLDER, devIssuer, issuerKeys } from './issuer';
