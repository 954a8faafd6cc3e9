import { canonicalJson, dataDigest, sha256Text } from './canonical-json';
import { commitmentForm } from './personal-data';
import { describeEvent, isDigest, isWithheld } from './event-text';

/** The hash of the empty chain's predecessor: 'sha256:' + 64 zeros. */
export const GENESIS_HASH: string = 'sha256:' + '0'.repeat(64);

/**
 * Attributes left out of an event's hash: the payload (committed through `datahash`, so a stub
 * without it still verifies), the hash itself, what signing adds afterwards (`signature`,
 * `keyid`), and `datawithheld`, which is only set on such a stub.
 */
export const UNHASHED_ATTRIBUTES: readonly string[] = Object.freeze(['data', 'hash', 'signature', 'keyid', 'datawithheld']);

const unhashed = new Set(UNHASHED_ATTRIBUTES);

/**
 * 'sha256:' + hex SHA-256 of canonicalJson(header), where the header is the envelope without
 * UNHASHED_ATTRIBUTES. The header includes prevhash, datahash and sequence, which makes it a chain.
 */
export function eventHash(envelope: Record<string, unknown>): string {
  return sha256Text(canonicalJson(envelope, { omit: unhashed }));
}

/**
 * Chains a batch in log order: for each envelope (which already has `sequence`) sets `prevhash`
 * (the previous event's hash, `previousHash` for the first), `datahash` = payloadDigest(data) and
 * `hash` = eventHash(...). Returns new objects; does not mutate.
 */
export function chainBatch<E extends { data?: unknown }>(
  envelopes: E[],
  previousHash: string,
): (E & { prevhash: string; datahash: string; hash: string })[] {
  if (!isDigest(previousHash)) {
    throw new Error(`chainBatch: the previous hash must be 'sha256:' and 64 lowercase hex digits, not ${JSON.stringify(previousHash)}`);
  }
  let prevhash = previousHash;
  return envelopes.map((envelope, index) => {
    if (envelope.data === undefined) {
      throw new Error(`chainBatch: ${describeEvent(envelope)} (index ${index} of the batch) has no data to commit to`);
    }
    const chained = { ...envelope, prevhash, datahash: payloadDigest(envelope.data), hash: '' };
    chained.hash = eventHash(chained);
    prevhash = chained.hash;
    return chained;
  });
}

/**
 * The digest `datahash` holds: of the payload's commitment form, in which sealed, redacted and
 * erased person parts all reduce to the digest of their ciphertext (see personal-data.ts).
 */
export function payloadDigest(data: unknown): string {
  return dataDigest(commitmentForm(data));
}

export type ChainCheck = { ok: true } | { ok: false; firstBadIndex: number; problem: string };

/**
 * Checks a stretch of an agency's log in order, without signatures: each event's hash over its
 * header, its payload against `datahash` (unless withheld), its link to the event before it (the
 * first one to `previousHash`) and, where both carry one, consecutive sequence numbers.
 * Stops at the first event that is wrong.
 */
export function verifyChain(envelopes: Record<string, unknown>[], previousHash: string): ChainCheck {
  let expectedPrev = previousHash;
  let previousSequence: unknown;
  for (let index = 0; index < envelopes.length; index++) {
    const envelope = envelopes[index];
    const who = `${describeEvent(envelope)} at index ${index}`;
    const bad = (problem: string): ChainCheck => ({ ok: false, firstBadIndex: index, problem });

    let recomputed: string;
    try {
      recomputed = eventHash(envelope);
    } catch (error) {
      return bad(`${who} cannot be put in canonical form: ${(error as Error).message}`);
    }
    if (envelope.hash !== recomputed) {
      return bad(`${who} was changed after it was sealed: its attributes hash to ${recomputed}, but it records ${String(envelope.hash)}`);
    }
    if (envelope.data !== undefined && !isWithheld(envelope)) {
      const digest = payloadDigest(envelope.data);
      if (envelope.datahash !== digest) {
        return bad(`${who} has a payload that was changed after it was sealed: it digests to ${digest}, but datahash is ${String(envelope.datahash)}`);
      }
    }
    if (envelope.prevhash !== expectedPrev) {
      return bad(
        index === 0
          ? `${who} does not continue the log from ${expectedPrev} (its prevhash is ${String(envelope.prevhash)})`
          : `${who} does not follow the event before it: its prevhash is ${String(envelope.prevhash)}, but that event's hash is ${expectedPrev}`,
      );
    }
    if (typeof previousSequence === 'number' && typeof envelope.sequence === 'number' && envelope.sequence !== previousSequence + 1) {
      return bad(`${who} has sequence ${envelope.sequence} right after sequence ${previousSequence}`);
    }
    expectedPrev = recomputed;
    previousSequence = envelope.sequence;
  }
  return { ok: true };
}
