import { hash } from 'node:crypto';

/*
 * RFC 6962 style tree: leaf node = SHA-256(0x00 || leaf), inner node = SHA-256(0x01 || left ||
 * right); the prefixes keep a leaf from passing for an inner node. Pairing level by level and
 * promoting an odd last node gives the same tree as RFC 6962's split at the largest power of two.
 *
 * A leaf's bytes are the UTF-8 bytes of the whole hash string ('sha256:...'), not the decoded
 * digest, so a leaf also commits to the algorithm it names.
 */

/** The leaf prefix as text: U+0000 is the single byte 0x00 in UTF-8. */
const LEAF_PREFIX = '\u0000';
const INNER_PREFIX = 0x01;
const NODE_HEX = /^sha256:([0-9a-f]{64})$/;

// One-shot hashes (Node >= 20.12): half the cost of createHash().update().digest() here.
function leafNode(leaf: string): Buffer {
  return hash('sha256', LEAF_PREFIX + leaf, 'buffer');
}

function innerNode(left: Buffer, right: Buffer): Buffer {
  const bytes = Buffer.allocUnsafe(1 + left.length + right.length);
  bytes[0] = INNER_PREFIX;
  left.copy(bytes, 1);
  right.copy(bytes, 1 + left.length);
  return hash('sha256', bytes, 'buffer');
}

function show(node: Buffer): string {
  return 'sha256:' + node.toString('hex');
}

function parseNode(text: string, what: string): Buffer {
  const match = NODE_HEX.exec(text);
  if (!match) throw new Error(`${what} must be 'sha256:' and 64 lowercase hex digits, not ${JSON.stringify(text)}`);
  return Buffer.from(match[1], 'hex');
}

function checkPosition(index: number, size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`A Merkle tree needs at least one leaf, not ${size}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`Leaf index ${index} is outside a tree of ${size} leaves`);
  }
}

/** How many sibling hashes the proof for leaf `index` of a tree of `size` leaves holds. */
export function proofLength(index: number, size: number): number {
  checkPosition(index, size);
  let length = 0;
  for (let i = index, n = size; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2)) {
    if (i % 2 === 1 || i + 1 < n) length++;
  }
  return length;
}

/** Every level of the tree, leaves first; a batch's proofs are all read from one build. */
export function merkleLevels(leaves: string[]): Buffer[][] {
  if (leaves.length === 0) throw new RangeError('A Merkle tree needs at least one leaf');
  const levels = [leaves.map(leafNode)];
  for (let level = levels[0]; level.length > 1; ) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(innerNode(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    levels.push(next);
    level = next;
  }
  return levels;
}

export function rootOfLevels(levels: Buffer[][]): string {
  return show(levels[levels.length - 1][0]);
}

export function proofFromLevels(levels: Buffer[][], index: number): string[] {
  checkPosition(index, levels[0].length);
  const proof: string[] = [];
  let i = index;
  for (const level of levels.slice(0, -1)) {
    if (i % 2 === 1) proof.push(show(level[i - 1]));
    else if (i + 1 < level.length) proof.push(show(level[i + 1]));
    i = Math.floor(i / 2);
  }
  return proof;
}

/** Merkle root over the events' `hash` strings: 'sha256:' + hex. */
export function merkleRoot(leaves: string[]): string {
  return rootOfLevels(merkleLevels(leaves));
}

/** The sibling hashes from leaf `index` up to the root, bottom-up, each 'sha256:' + hex. */
export function merkleProof(leaves: string[], index: number): string[] {
  checkPosition(index, leaves.length);
  return proofFromLevels(merkleLevels(leaves), index);
}

/** The root a leaf at `index` of a tree of `size` leaves leads to with `proof`; throws if the proof has the wrong length. */
export function rootFromProof(leaf: string, index: number, size: number, proof: string[]): string {
  const expected = proofLength(index, size);
  if (proof.length !== expected) {
    throw new Error(`The proof for leaf ${index} of ${size} needs ${expected} sibling hashes, not ${proof.length}`);
  }
  let node = leafNode(leaf);
  let used = 0;
  for (let i = index, n = size; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2)) {
    if (i % 2 === 1) node = innerNode(parseNode(proof[used++], 'A proof hash'), node);
    else if (i + 1 < n) node = innerNode(node, parseNode(proof[used++], 'A proof hash'));
  }
  return show(node);
}

/** What climbProof returns when it met only nodes already proven to lie under a verified root. */
export const PROVEN = Symbol('proven');

/**
 * Nodes shown to lie under the root of a verified batch: by place in the tree (see nodePlace), the
 * node as `sha256:<hex>`. Only one value can lie at a place, so a map holds them all.
 */
export type ProvenNodes = ReadonlyMap<number, string>;

/**
 * Walks leaf `index` of a tree of `size` leaves up with `proof`, like rootFromProof, but uses what
 * `proven` holds: nodes already shown to lie under the root of a verified batch. From the first
 * proven node on it hashes no more and only checks that each remaining proof hash is the proven
 * node at its place, so every hash of the proof is still checked. Returns PROVEN in that case,
 * else the root it computed (which the caller compares), and the nodes it computed and used,
 * which the caller adds to `proven` once that root is verified. The proof's length must already
 * have been checked (see proofLength).
 */
export function climbProof(
  leaf: string,
  index: number,
  size: number,
  proof: string[],
  proven?: ProvenNodes,
): { reached: string | typeof PROVEN; nodes: [number, string][] } {
  const nodes: [number, string][] = [];
  let node: Buffer | undefined = leafNode(leaf);
  let used = 0;
  for (let i = index, n = size, level = 0; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2), level++) {
    if (node) {
      const place = nodePlace(level, i);
      const text = show(node);
      if (proven?.get(place) === text) node = undefined;
      else nodes.push([place, text]);
    }
    const sibling = i % 2 === 1 ? i - 1 : i + 1 < n ? i + 1 : undefined;
    if (sibling === undefined) continue;
    const text = proof[used++];
    if (!node) {
      // The path so far is proven: the rest of the proof must be the proven nodes beside it.
      if (proven!.get(nodePlace(level, sibling)) !== text) return { reached: 'a proof that leaves the batch', nodes: [] };
      continue;
    }
    const other = parseNode(text, 'A proof hash');
    nodes.push([nodePlace(level, sibling), text]);
    node = sibling < i ? innerNode(other, node) : innerNode(node, other);
  }
  return { reached: node ? show(node) : PROVEN, nodes };
}

/** A node's place in a tree as one number: its level (0 for the leaves) and its index in the level. */
function nodePlace(level: number, index: number): number {
  return level * 2 ** 32 + index;
}
