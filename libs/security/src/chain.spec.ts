import { createHash } from 'node:crypto';
import { chainedEvents, draftEvents } from '../test/fixtures';
import { GENESIS_HASH, UNHASHED_ATTRIBUTES, canonicalJson, chainBatch, dataDigest, eventHash, verifyChain } from './index';

const OTHER_HASH = 'sha256:' + 'ab'.repeat(32);

describe('GENESIS_HASH', () => {
  it('then it is sha256: and 64 zeros', () => expect(GENESIS_HASH).toBe('sha256:0000000000000000000000000000000000000000000000000000000000000000'));
});

describe('UNHASHED_ATTRIBUTES', () => {
  it('then they are data, hash, signature, keyid and datawithheld', () =>
    expect([...UNHASHED_ATTRIBUTES]).toEqual(['data', 'hash', 'signature', 'keyid', 'datawithheld']));
  it('then the list cannot be changed', () => expect(Object.isFrozen(UNHASHED_ATTRIBUTES)).toBe(true));
});

describe('eventHash', () => {
  const [event] = chainedEvents(1);
  const { data, hash, ...header } = event;

  it('then it is the SHA-256 of the canonical header', () =>
    expect(eventHash(event)).toBe('sha256:' + createHash('sha256').update(canonicalJson(header)).digest('hex')));
  it('then it does not depend on data', () => expect(eventHash({ ...event, data: { other: true } })).toBe(hash));
  it('then it does not depend on a previous hash attribute', () => expect(eventHash({ ...event, hash: OTHER_HASH })).toBe(hash));
  it('then it does not depend on signature', () => expect(eventHash({ ...event, signature: 'v1.x' })).toBe(hash));
  it('then it does not depend on keyid', () => expect(eventHash({ ...event, keyid: 'k' })).toBe(hash));
  it('then it does not depend on datawithheld', () => expect(eventHash({ ...event, datawithheld: 'RED' })).toBe(hash));
  it('then it depends on prevhash', () => expect(eventHash({ ...event, prevhash: OTHER_HASH })).not.toBe(hash));
  it('then it depends on datahash', () => expect(eventHash({ ...event, datahash: OTHER_HASH })).not.toBe(hash));
  it('then it depends on sequence', () => expect(eventHash({ ...event, sequence: 2 })).not.toBe(hash));
  it('then it depends on traceparent, so the trace an event names cannot be swapped', () =>
    expect(eventHash({ ...event, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).not.toBe(hash));
  it('then it depends on time', () => expect(eventHash({ ...event, time: '2025-03-01T10:00:01.000Z' })).not.toBe(hash));
  it('then an added attribute changes it', () => expect(eventHash({ ...event, extra: 'x' })).not.toBe(hash));
  it('then an added attribute named __proto__ (as JSON.parse keeps it) changes it', () =>
    expect(eventHash(JSON.parse(JSON.stringify(event).replace(/^\{/, '{"__proto__":{"x":1},')))).not.toBe(hash));
  it('then attribute order does not change it', () => expect(eventHash(Object.fromEntries(Object.entries(event).reverse()))).toBe(hash));
  it('then it has the sha256: form', () => expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/));
});

describe('chainBatch', () => {
  const drafts = draftEvents(3);
  const before = JSON.stringify(drafts);
  const chained = chainBatch(drafts, OTHER_HASH);

  it('then the first event points to the given previous hash', () => expect(chained[0].prevhash).toBe(OTHER_HASH));
  it('then the second event points to the first', () => expect(chained[1].prevhash).toBe(chained[0].hash));
  it('then the third event points to the second', () => expect(chained[2].prevhash).toBe(chained[1].hash));
  it('then datahash is the digest of data', () => expect(chained[1].datahash).toBe(dataDigest(drafts[1].data)));
  it('then hash is the event hash', () => expect(chained[2].hash).toBe(eventHash(chained[2])));
  it('then every hash differs', () => expect(new Set(chained.map((e) => e.hash)).size).toBe(3));
  it('then the other attributes are kept', () => expect(chained[0]).toMatchObject(drafts[0]));
  it('then the input is not changed', () => expect(JSON.stringify(drafts)).toBe(before));
  it('then new objects are returned', () => expect(chained[0]).not.toBe(drafts[0]));
  it('then an empty batch gives an empty chain', () => expect(chainBatch([], GENESIS_HASH)).toEqual([]));
  it('then an event without data throws', () => expect(() => chainBatch([{ id: 'e1' } as { data?: unknown }], GENESIS_HASH)).toThrow(/event e1.*no data/));
  it('then a malformed previous hash throws', () => expect(() => chainBatch(drafts, 'abc')).toThrow(/previous hash/));
  it('then chaining twice gives the same hashes', () => expect(chainBatch(drafts, OTHER_HASH).map((e) => e.hash)).toEqual(chained.map((e) => e.hash)));
  it('then a batch continued from the last hash chains on', () => {
    const first = chainedEvents(3);
    const second = chainedEvents(2, 4, first[2].hash);
    expect(verifyChain([...first, ...second], GENESIS_HASH)).toEqual({ ok: true });
  });
});

describe('verifyChain', () => {
  const log = (): Record<string, unknown>[] => chainedEvents(6).map((event) => ({ ...event }));
  const badIndex = (events: Record<string, unknown>[]) => {
    const result = verifyChain(events, GENESIS_HASH);
    return result.ok ? 'ok' : result.firstBadIndex;
  };
  const problem = (events: Record<string, unknown>[]) => {
    const result = verifyChain(events, GENESIS_HASH);
    return result.ok ? '' : result.problem;
  };

  it('then an intact log verifies', () => expect(verifyChain(log(), GENESIS_HASH)).toEqual({ ok: true }));
  it('then an empty log verifies', () => expect(verifyChain([], GENESIS_HASH)).toEqual({ ok: true }));

  describe('given data edited in the third event', () => {
    const events = log();
    events[2] = { ...events[2], data: { name: 'Someone Else' } };
    it('then the chain breaks at the third event', () => expect(badIndex(events)).toBe(2));
    it('then the problem is the payload', () => expect(problem(events)).toMatch(/payload/));
    it('then the problem names the event', () => expect(problem(events)).toContain(String(events[2].id)));
  });

  describe('given a header attribute edited in the third event', () => {
    const events = log();
    events[2] = { ...events[2], releasableto: 'immigration,foreign-ministry' };
    it('then the chain breaks at the third event', () => expect(badIndex(events)).toBe(2));
    it('then the problem says it was changed after it was sealed', () => expect(problem(events)).toMatch(/changed after it was sealed/));
    it('then the problem names the sequence', () => expect(problem(events)).toContain('sequence 3'));
  });

  describe('given an edit whose hash was recomputed', () => {
    const events = log();
    events[2] = { ...events[2], subject: 'case-forged' };
    events[2].hash = eventHash(events[2]);
    it('then the chain breaks at the event after it', () => expect(badIndex(events)).toBe(3));
    it('then the problem is the link', () => expect(problem(events)).toMatch(/does not follow the event before it/));
  });

  describe('given the third event removed', () => {
    const events = log();
    events.splice(2, 1);
    it('then the chain breaks where it was', () => expect(badIndex(events)).toBe(2));
    it('then the problem is the link', () => expect(problem(events)).toMatch(/does not follow/));
  });

  describe('given an event inserted third, chained to the event before it', () => {
    const events = log();
    const [forged] = chainBatch([{ ...draftEvents(1, 3)[0], id: 'forged', subject: 'case-x' }], String(events[1].hash));
    events.splice(2, 0, forged);
    it('then the chain breaks at the event after it', () => expect(badIndex(events)).toBe(3));
  });

  describe('given an event copied from another log inserted third', () => {
    const events = log();
    events.splice(2, 0, chainedEvents(1, 3, OTHER_HASH)[0]);
    it('then the chain breaks at the inserted event', () => expect(badIndex(events)).toBe(2));
  });

  describe('given the third and fourth events swapped', () => {
    const events = log();
    [events[2], events[3]] = [events[3], events[2]];
    it('then the chain breaks at the first swapped position', () => expect(badIndex(events)).toBe(2));
  });

  describe('given the first and last events swapped', () => {
    const events = log();
    [events[0], events[5]] = [events[5], events[0]];
    it('then the chain breaks at the first event', () => expect(badIndex(events)).toBe(0));
  });

  describe('given the wrong previous hash', () => {
    it('then the chain breaks at the first event', () => {
      const result = verifyChain(log(), OTHER_HASH);
      expect(result.ok ? 'ok' : result.firstBadIndex).toBe(0);
    });
  });

  describe('given a gap in sequence numbers hashed into a well-linked chain', () => {
    const drafts = draftEvents(3);
    drafts[2].sequence = 9;
    it('then the chain breaks at the jump', () => expect(badIndex(chainBatch(drafts, GENESIS_HASH))).toBe(2));
  });

  describe('given a withheld-data stub in the log', () => {
    const events = log();
    const { data, ...stub } = events[2];
    events[2] = { ...stub, datawithheld: 'RED' };
    it('then the chain still verifies', () => expect(verifyChain(events, GENESIS_HASH)).toEqual({ ok: true }));
  });

  describe('given a hash that was removed', () => {
    const events = log();
    delete events[4].hash;
    it('then the chain breaks there', () => expect(badIndex(events)).toBe(4));
  });
});
