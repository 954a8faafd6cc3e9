import { sign } from 'node:crypto';
import { signerKey, verifyEd25519, type SigningKey, type VerifyResult } from './signing';
import type { TrustStore } from './trust-store';

/**
 * What an agency states when it delivers the data key of one of its person records to a
 * recipient on `keys.<owner>.<recipient>`, or (`key` null) tells it that the record was erased.
 */
export interface KeyStatement {
  owner: string;
  recipient: string;
  ref: string;
  key: Buffer | null;
  /** When the owner signed it (RFC 3339): a key retired before then cannot have signed it. */
  time: string;
}

/** The Kafka headers that carry a key delivery's seal, beside its value (a tombstone has no value to carry it in). */
export const KEY_SEAL_HEADERS = { time: 'interlink-signed-at', keyid: 'interlink-keyid', signature: 'interlink-signature' } as const;

const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** What the owner's key signs: the recipient is in it, so a delivery cannot be replayed to another agency. */
function statementBytes({ owner, recipient, ref, key, time }: KeyStatement): Buffer {
  return Buffer.from(`interlink-data-key-v1\n${owner}\n${recipient}\n${ref}\n${key === null ? 'erased' : key.toString('base64')}\n${time}`, 'utf8');
}

/** Signs a key delivery (or an erasure, `key` null) with the owner's key; returns the headers to send it with. */
export function signKeyDelivery(signingKey: SigningKey, statement: KeyStatement): Record<string, string> {
  if (signingKey.agencyId !== statement.owner) {
    throw new Error(`signKeyDelivery: key ${signingKey.keyId} is ${signingKey.agencyId}'s, but the record ${statement.ref} is ${statement.owner}'s`);
  }
  return {
    [KEY_SEAL_HEADERS.time]: statement.time,
    [KEY_SEAL_HEADERS.keyid]: signingKey.keyId,
    [KEY_SEAL_HEADERS.signature]: sign(null, statementBytes(statement), signingKey.privateKey).toString('base64url'),
  };
}

/**
 * Checks that `statement` was signed by its owner with a key trusted for its time, given the seal
 * that came with it (the headers signKeyDelivery made, read back as text).
 */
export function verifyKeyDelivery(trust: TrustStore, statement: KeyStatement, seal: { keyid?: string; signature?: string }): VerifyResult {
  const who = `the ${statement.key === null ? 'erasure' : 'key delivery'} of person record ${statement.ref} from ${statement.owner}`;
  if (seal.signature === undefined) return { ok: false, failure: 'malformed-signature', reason: `${who} carries no signature` };
  if (!SIGNATURE.test(seal.signature) || Buffer.from(seal.signature, 'base64url').toString('base64url') !== seal.signature) {
    return { ok: false, failure: 'malformed-signature', reason: `the signature of ${who} is not an Ed25519 signature in canonical base64url` };
  }
  const key = signerKey(trust, seal.keyid, statement.owner, statement.time, who);
  if ('ok' in key) return key;
  if (!verifyEd25519(key.publicKey, statementBytes(statement), seal.signature)) {
    return { ok: false, failure: 'bad-signature', reason: `the signature of ${who} to ${statement.recipient} does not verify with key ${key.keyId}: it was signed for something else, or not by ${statement.owner}` };
  }
  return { ok: true };
}
