import { createHash } from 'node:crypto';
import { PROVEN, climbProof } from './merkle';
import { merkleProof, merkleRoot, rootFromProof } from './index';

const leafHash = (i: number) => 'sha256:' + createHash('sha256').update(`event ${i}`).digest('hex');
const leavesOf = (size: number) => Array.from({ length: size }, (_, i) => leafHash(i));

/** RFC 6962 section 2.1 as written: split at the largest power of two smaller than n. */
function rfc6962(leaves: string[]): Buffer {
  if (leaves.length === 1) return createHash('sha256').update(Buffer.from([0])).update(leaves[0], 'utf8').digest();
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256').update(Buffer.from([1])).update(rfc6962(leaves.slice(0, k))).update(rfc6962(leaves.slice(k))).digest();
}

const SIZES = Array.from({ length: 17 }, (_, i) => i + 1);

describe('merkleRoot', () => {
  it.each(SIZES)('then a tree of %i leaves has the RFC 6962 root', (size) =>
    expect(merkleRoot(leavesOf(size))).toBe('sha256:' + rfc6962(leavesOf(size)).toString('hex')));
  it('then one leaf gives SHA-256(0x00 || leaf)', () =>
    expect(merkleRoot([leafHash(0)])).toBe('sha256:' + createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(leafHash(0))])).digest('hex')));
  it('then leaf order matters', () => expect(merkleRoot([leafHash(0), leafHash(1)])).not.toBe(merkleRoot([leafHash(1), leafHash(0)])));
  it('then a repeated last leaf is not the same tree (no duplication of odd nodes)', () =>
    expect(merkleRoot(leavesOf(3))).not.toBe(merkleRoot([...leavesOf(3), leafHash(2)])));
  it('then no leaves throws', () => expect(() => merkleRoot([])).toThrow(RangeError));
});

describe('merkleProof and rootFromProof', () => {
  const cases = SIZES.flatMap((size) => Array.from({ length: size }, (_, index) => [size, index] as const));

  it.each(cases)('then in a tree of %i leaves the proof of leaf %i leads to the root', (size, index) => {
    const leaves = leavesOf(size);
    expect(rootFromProof(leaves[index], index, size, merkleProof(leaves, index))).toBe(merkleRoot(leaves));
  });

  it('then every proof is at most ceil(log2(size)) hashes long', () => {
    for (const [size, index] of cases) expect(merkleProof(leavesOf(size), index).length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
  });
  it('then proof hashes have the sha256: form', () => merkleProof(leavesOf(5), 2).forEach((hash) => expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/)));
  it('then a tree of one leaf has an empty proof', () => expect(merkleProof([leafHash(0)], 0)).toEqual([]));
  it('then the promoted last leaf of five has a proof of one hash', () => expect(merkleProof(leavesOf(5), 4)).toHaveLength(1));
  it('then the first proof hash of an even leaf is its right neighbour', () =>
    expect(merkleProof(leavesOf(4), 2)[0]).toBe('sha256:' + createHash('sha256').update(Buffer.from([0])).update(leafHash(3)).digest('hex')));

  describe('given something wrong', () => {
    const leaves = leavesOf(11);
    const root = merkleRoot(leaves);
    const proof = merkleProof(leaves, 6);
    it('then another leaf does not lead to the root', () => expect(rootFromProof(leafHash(99), 6, 11, proof)).not.toBe(root));
    it('then another index does not lead to the root', () => expect(rootFromProof(leaves[6], 7, 11, proof)).not.toBe(root));
    it('then a changed proof hash does not lead to the root', () =>
      expect(rootFromProof(leaves[6], 6, 11, [proof[0], leafHash(1), ...proof.slice(2)])).not.toBe(root));
    it('then a proof one hash short throws', () => expect(() => rootFromProof(leaves[6], 6, 11, proof.slice(1))).toThrow(/needs 4/));
    it('then a proof one hash long throws', () => expect(() => rootFromProof(leaves[6], 6, 11, [...proof, proof[0]])).toThrow(/needs 4/));
    it('then a malformed proof hash throws', () => expect(() => rootFromProof(leaves[6], 6, 11, ['x', ...proof.slice(1)])).toThrow(/sha256/));
    it('then an index past the end throws', () => expect(() => merkleProof(leaves, 11)).toThrow(RangeError));
    it('then a negative index throws', () => expect(() => rootFromProof(leaves[0], -1, 11, proof)).toThrow(RangeError));
    it('then a fractional index throws', () => expect(() => merkleProof(leaves, 1.5)).toThrow(RangeError));
  });
});

describe('climbProof', () => {
  it.each([1, 2, 3, 5, 8, 13])('then without proven nodes it reaches the root, for every leaf of %i', (size) => {
    const leaves = leavesOf(size);
    leaves.forEach((leaf, i) => expect(climbProof(leaf, i, size, merkleProof(leaves, i)).reached).toBe(merkleRoot(leaves)));
  });
  it.each([3, 7, 13])('then with the nodes of a verified climb every other leaf of %i is PROVEN', (size) => {
    const leaves = leavesOf(size);
    const proven = new Map(climbProof(leaves[0], 0, size, merkleProof(leaves, 0)).nodes);
    leaves.forEach((leaf, i) => {
      const climb = climbProof(leaf, i, size, merkleProof(leaves, i), proven);
      expect(climb.reached).toBe(PROVEN);
      climb.nodes.forEach(([place, node]) => proven.set(place, node));
    });
  });
  it('then a leaf not in the tree is not PROVEN, whichever proof it borrows', () => {
    const leaves = leavesOf(8);
    const proven = new Map(leaves.flatMap((leaf, i) => climbProof(leaf, i, 8, merkleProof(leaves, i)).nodes));
    const stranger = leavesOf(9)[8];
    leaves.forEach((_, i) => expect(climbProof(stranger, i, 8, merkleProof(leaves, i), proven).reached).not.toBe(PROVEN));
  });
});
