import { sign, verify, type KeyObject } from 'node:crypto';
import { chainBatch, eventHash, payloadDigest } from './chain';
import { describeEvent, isDigest, isWithheld } from './event-text';
import { PROVEN, ProvenNodes, climbProof, merkleLevels, proofFromLevels, proofLength, rootOfLevels } from './merkle';
import { fingerprintOf, type TrustStore, type TrustedKey } from './trust-store';

export interface SigningKey {
  agencyId: string;
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type VerifyFailure =
  | 'unknown-key'
  | 'key-not-of-sender'
  | 'key-expired'
  | 'bad-signature'
  | 'bad-hash'
  | 'bad-data-hash'
  | 'malformed-signature';

export type VerifyResult = { ok: true } | { ok: false; failure: VerifyFailure; reason: string };

const SIGNATURE_VERSION = 'v1';
/** An Ed25519 signature is 64 bytes: 86 base64url characters without padding. */
const SIGNATURE_TEXT = /^v1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.([0-9a-f]{64})\.([A-Za-z0-9_-]{86})\.((?:[0-9a-f]{64}(?:~[0-9a-f]{64})*)?)$/;
/** Far above the ~70 proof hashes a batch of 2^53 events could need; stops huge strings before the regex. */
const MAX_SIGNATURE_LENGTH = 8000;

/**
 * What the agency's key signs for a batch. The agency and the sequence range are in it so a
 * signature cannot be replayed for another agency's key binding or another stretch of the log.
 */
function batchMessage(agencyId: string, first: number, last: number, root: string): Buffer {
  return Buffer.from(`interlink-batch-${SIGNATURE_VERSION}\n${agencyId}\n${first}\n${last}\n${root}`, 'utf8');
}

/**
 * Signs a chained batch: computes the Merkle root of the events' hashes, signs
 * `interlink-batch-v1\n<agencyId>\n<first sequence>\n<last sequence>\n<root>` (root as
 * 'sha256:' + hex) with Ed25519, and returns the envelopes each with `keyid` and a `signature`
 * that carries everything needed to verify that one event alone:
 *   `v1.<first sequence>.<last sequence>.<index in batch>.<root hex>.<base64url signature>.<proof hashes hex joined by '~'>`
 *
 * The batch must be consecutive sequences in order, because a verifier derives the batch size from
 * the range and checks the event's sequence against its index. Hashes and payload digests are
 * recomputed first, since a batch sealed over a stale one would be rejected by every recipient.
 */
export function signBatch<E extends { hash: string; sequence?: number }>(
  key: SigningKey,
  envelopes: E[],
): (E & { keyid: string; signature: string })[] {
  return signStretch('signBatch', key, envelopes, true);
}

/**
 * Chains a stretch of the log (chainBatch) and signs it (signBatch) in one go: what the relay does
 * with each batch. The hashes were computed a moment before, so they are not recomputed to check them.
 */
export function chainAndSign<E extends { data?: unknown; sequence?: number }>(
  key: SigningKey,
  envelopes: E[],
  previousHash: string,
): (E & { prevhash: string; datahash: string; hash: string; keyid: string; signature: string })[] {
  if (envelopes.length === 0) throw new Error('chainAndSign: the batch is empty');
  return signStretch('chainAndSign', key, chainBatch(envelopes, previousHash), false);
}

function signStretch<E extends { hash: string; sequence?: number }>(
  caller: string,
  key: SigningKey,
  envelopes: E[],
  recheckHashes: boolean,
): (E & { keyid: string; signature: string })[] {
  if (envelopes.length === 0) throw new Error(`${caller}: the batch is empty`);
  if (key.privateKey.type !== 'private' || key.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${caller}: key ${key.keyId} of ${key.agencyId} is not an Ed25519 private key`);
  }
  const first = envelopes[0].sequence;
  if (typeof first !== 'number' || !Number.isSafeInteger(first) || first < 0) {
    throw new Error(`${caller}: ${describeEvent(envelopes[0])} has no sequence; the relay numbers events before they are signed`);
  }
  envelopes.forEach((envelope, index) => {
    const who = `${caller}: ${describeEvent(envelope)} (index ${index} of the batch)`;
    if (typeof envelope.hash !== 'string' || envelope.hash.length === 0) throw new Error(`${who} has no hash; chain the batch first`);
    if (envelope.sequence !== first + index) {
      throw new Error(`${who} should have sequence ${first + index}: a batch is one consecutive stretch of the log`);
    }
    if (!recheckHashes) return;
    const attributes = envelope as unknown as Record<string, unknown>;
    if (eventHash(attributes) !== envelope.hash) throw new Error(`${who} no longer matches its hash; it was changed after it was chained`);
    if (attributes.data !== undefined && !isWithheld(attributes) && payloadDigest(attributes.data) !== attributes.datahash) {
      throw new Error(`${who} has a payload that no longer matches its datahash; it was changed after it was chained`);
    }
  });
  const last = first + envelopes.length - 1;
  const tree = merkleLevels(envelopes.map((envelope) => envelope.hash));
  const root = rootOfLevels(tree);
  const signature = sign(null, batchMessage(key.agencyId, first, last, root), key.privateKey).toString('base64url');
  const rootHex = root.slice('sha256:'.length);
  return envelopes.map((envelope, index) => {
    const proof = proofFromLevels(tree, index).map((hash) => hash.slice('sha256:'.length)).join('~');
    return { ...envelope, keyid: key.keyId, signature: `${SIGNATURE_VERSION}.${first}.${last}.${index}.${rootHex}.${signature}.${proof}` };
  });
}

interface ParsedSignature {
  first: number;
  last: number;
  index: number;
  root: string;
  signature: string;
  proof: string[];
}

/** The batch part of the signature parsed last: `v1.<first>.<last>.` and `.<root>.<signature>.`. */
let lastBatch: { head: string; tail: string; parsed: ParsedSignature } | undefined;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
/** Proof hashes joined by '~' (each piece then has to be 64 long): a quicker scan than SIGNATURE_TEXT's. */
const PROOF_CHARACTERS = /^[0-9a-f~]*$/;

/**
 * A signature of the batch parsed last (the events of a batch come one after another), parsed
 * without checking its batch part again; undefined when it is not one, or anything is off, for
 * parseSignature to check and explain.
 */
function parseInBatchSeen(text: string): ParsedSignature | undefined {
  const seen = lastBatch;
  if (!seen || text.length > MAX_SIGNATURE_LENGTH || !text.startsWith(seen.head)) return undefined;
  const dot = text.indexOf('.', seen.head.length);
  if (dot < 0 || !text.startsWith(seen.tail, dot)) return undefined;
  const indexText = text.slice(seen.head.length, dot);
  const proofText = text.slice(dot + seen.tail.length);
  if (!DECIMAL.test(indexText) || !PROOF_CHARACTERS.test(proofText)) return undefined;
  const index = Number(indexText);
  const { first, last } = seen.parsed;
  const size = last - first + 1;
  if (!Number.isSafeInteger(index) || index >= size) return undefined;
  const pieces = proofText === '' ? [] : proofText.split('~');
  if (pieces.length !== proofLength(index, size)) return undefined;
  const proof: string[] = [];
  for (const hex of pieces) {
    if (hex.length !== 64) return undefined;
    proof.push('sha256:' + hex);
  }
  return { ...seen.parsed, index, proof };
}

function parseSignature(text: string): ParsedSignature | string {
  const quick = parseInBatchSeen(text);
  if (quick) return quick;
  const parsed = parseSignatureText(text);
  if (typeof parsed !== 'string') {
    const rootHex = parsed.root.slice('sha256:'.length);
    lastBatch = { head: `${SIGNATURE_VERSION}.${parsed.first}.${parsed.last}.`, tail: `.${rootHex}.${parsed.signature}.`, parsed };
  }
  return parsed;
}

function parseSignatureText(text: string): ParsedSignature | string {
  if (text.length > MAX_SIGNATURE_LENGTH) return `is ${text.length} characters long, far more than any batch needs`;
  const match = SIGNATURE_TEXT.exec(text);
  if (!match) {
    return text.startsWith(`${SIGNATURE_VERSION}.`)
      ? `does not have the form v1.<first>.<last>.<index>.<root>.<signature>.<proof>`
      : `is not a version 1 Interlink batch signature`;
  }
  const [first, last, index] = [match[1], match[2], match[3]].map(Number);
  if (![first, last, index].every(Number.isSafeInteger)) return 'has a sequence number too large to be exact';
  if (last < first) return `names the range ${first} to ${last}, which runs backwards`;
  const size = last - first + 1;
  if (index >= size) return `puts the event at index ${index} of a batch of only ${size}`;
  // The last base64url character may carry unused bits; requiring the canonical spelling keeps one
  // signature from having several cache keys.
  if (Buffer.from(match[5], 'base64url').toString('base64url') !== match[5]) return 'has a signature that is not canonical base64url';
  const proof = match[6] === '' ? [] : match[6].split('~').map((hex) => 'sha256:' + hex);
  const needed = proofLength(index, size);
  if (proof.length !== needed) return `carries ${proof.length} proof hashes where index ${index} of a batch of ${size} needs ${needed}`;
  return { first, last, index, root: 'sha256:' + match[4], signature: match[5], proof };
}

/**
 * Verifies one envelope on its own: (1) `hash` equals eventHash(envelope) ('bad-hash'); (2) when
 * `data` is present and `datawithheld` is not set, `datahash` equals payloadDigest(data)
 * ('bad-data-hash'); (3) the signature string parses ('malformed-signature'); (4) the key id is
 * known ('unknown-key'), belongs to `expectedSigner` ('key-not-of-sender') and, if it has a
 * notAfter, the envelope's `time` is not after it ('key-expired'); (5) the event's sequence is
 * where the signature puts it, the Merkle root recomputed from its hash and proof equals the
 * signed root, and the Ed25519 signature over the batch message verifies ('bad-signature').
 *
 * `cache` (a SignatureCache) remembers verified batches, so a batch's Ed25519 check runs once
 * and its events' inclusion proofs climb only as far as a node already proven; everything about
 * the event itself is still checked every time.
 */
export function verifyEnvelope(
  trust: TrustStore,
  envelope: Record<string, unknown>,
  expectedSigner: string,
  cache?: SignatureCache,
  options: { hashChecked?: boolean } = {},
): VerifyResult {
  // Named only when something fails: building the text for every good event costs time.
  const who = () => describeEvent(envelope);
  const fail = (failure: VerifyFailure, reason: string): VerifyResult => ({ ok: false, failure, reason });

  if (typeof envelope.hash !== 'string') return fail('bad-hash', `${who()} has no hash, so it was never sealed into its agency's log`);
  if (!options.hashChecked) {
    const problem = hashProblem(envelope, who);
    if (problem) return problem;
  }

  if (typeof envelope.signature !== 'string') return fail('malformed-signature', `${who()} carries no signature`);
  const parsed = parseSignature(envelope.signature);
  if (typeof parsed === 'string') return fail('malformed-signature', `The signature of ${who()} ${parsed}`);

  const key = signerKey(trust, envelope.keyid, expectedSigner, envelope.time, who);
  if ('ok' in key) return key;

  const { first, last, index, root, signature, proof } = parsed;
  if (envelope.sequence !== first + index) {
    return fail('bad-signature', `The signature of ${who()} belongs to sequence ${first + index} (index ${index} of batch ${first} to ${last}), not to this event`);
  }
  const batch = `${fingerprintOf(key)}\n${key.keyId}\n${first}\n${last}\n${root}\n${signature}`;
  const proven = cache?.proven(batch);
  const climb = climbProof(envelope.hash, index, last - first + 1, proof, proven);
  if (climb.reached !== PROVEN && climb.reached !== root) {
    return fail('bad-signature', `${who()} is not part of the batch ${first} to ${last} its signature covers: its inclusion proof does not lead to the signed root`);
  }
  if (!proven && !verifyEd25519(key.publicKey, batchMessage(key.agencyId, first, last, root), signature)) {
    return fail('bad-signature', `The batch signature over sequences ${first} to ${last} carried by ${who()} does not verify with key ${key.keyId} of ${key.agencyId}`);
  }
  cache?.remember(batch, climb.nodes);
  return { ok: true };
}

/**
 * What verifyEnvelope remembers between events: the batches whose Ed25519 signature verified
 * (~140 µs each, so once per batch), and for each the Merkle tree nodes shown to lie under its
 * signed root, so that the next event of the batch climbs only until it meets one of them
 * (about one hash instead of one per level). Everything about the event itself is still checked
 * every time. Holds the `maxBatches` most recently verified batches.
 */
export class SignatureCache {
  private readonly batches = new Map<string, Map<number, string>>();

  constructor(private readonly maxBatches = 64) {}

  /** How many batches it holds. */
  get size(): number {
    return this.batches.size;
  }

  /** The proven nodes of a batch whose signature verified, if it is held. */
  proven(batch: string): ProvenNodes | undefined {
    return this.batches.get(batch);
  }

  /** Records that `batch`'s signature verified and that `nodes` lie under its root. */
  remember(batch: string, nodes: [number, string][]): void {
    let proven = this.batches.get(batch);
    if (!proven) {
      this.batches.set(batch, (proven = new Map()));
      if (this.batches.size > this.maxBatches) this.batches.delete(this.batches.keys().next().value as string);
    }
    for (const [place, node] of nodes) proven.set(place, node);
  }
}

/**
 * What is wrong with an envelope's own hashes, if anything: `hash` against its attributes
 * ('bad-hash'), and, unless the payload is withheld, `datahash` against the payload ('bad-data-hash').
 */
function hashProblem(envelope: Record<string, unknown>, who: () => string): Extract<VerifyResult, { ok: false }> | undefined {
  const fail = (failure: VerifyFailure, reason: string) => ({ ok: false as const, failure, reason });
  let recomputed: string;
  try {
    recomputed = eventHash(envelope);
  } catch (error) {
    return fail('bad-hash', `${who()} cannot be put in canonical form to check its hash: ${(error as Error).message}`);
  }
  if (recomputed !== envelope.hash) {
    return fail('bad-hash', `${who()} was changed after it was sealed: its attributes hash to ${recomputed}, not to the recorded ${String(envelope.hash)}`);
  }
  if (envelope.data === undefined || isWithheld(envelope)) return undefined;
  let digest: string;
  try {
    digest = payloadDigest(envelope.data);
  } catch (error) {
    return fail('bad-data-hash', `${who()} has a payload that cannot be put in canonical form: ${(error as Error).message}`);
  }
  if (envelope.datahash === digest) return undefined;
  return fail(
    'bad-data-hash',
    isDigest(envelope.datahash)
      ? `${who()} has a payload that was changed after it was sealed: it digests to ${digest}, not to the recorded datahash ${envelope.datahash}`
      : `${who()} carries a payload but no valid datahash, so the payload is not covered by its hash`,
  );
}

/**
 * The trusted key `keyId` of `signer`, valid for something dated `time` (described as `who`):
 * unknown, someone else's or retired keys give the failure instead.
 */
export function signerKey(
  trust: TrustStore,
  keyId: unknown,
  signer: string,
  time: unknown,
  named: string | (() => string),
): TrustedKey | Extract<VerifyResult, { ok: false }> {
  const who = () => (typeof named === 'string' ? named : named());
  const fail = (failure: VerifyFailure, reason: string) => ({ ok: false as const, failure, reason });
  if (typeof keyId !== 'string' || keyId.length === 0) return fail('unknown-key', `${who()} does not name the key (keyid) it was signed with`);
  const key = trust.get(keyId);
  if (!key) {
    return fail('unknown-key', `${who()} is signed with key ${keyId}, which is not trusted here; add that agency's public key to the trust store if it is genuine`);
  }
  if (key.agencyId !== signer) {
    return fail('key-not-of-sender', `${who()} is signed with key ${key.keyId}, which belongs to ${key.agencyId}, but it was expected from ${signer}`);
  }
  if (key.notAfter) {
    const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
    if (Number.isNaN(at)) {
      return fail('key-expired', `${who()} has no valid time, and key ${key.keyId} is only valid for events up to ${key.notAfter.toISOString()}`);
    }
    if (at > key.notAfter.getTime()) {
      return fail('key-expired', `${who()} happened at ${String(time)}, after key ${key.keyId} was retired at ${key.notAfter.toISOString()}; it should have been signed with the agency's newer key`);
    }
  }
  return key;
}

/** Whether `signature` (base64url, canonical) is an Ed25519 signature of `message` by `publicKey`. */
export function verifyEd25519(publicKey: KeyObject, message: Buffer, signature: string): boolean {
  try {
    return verify(null, message, publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
