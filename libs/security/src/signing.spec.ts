import { chainedEvents, draftEvents, newKey } from '../test/fixtures';
import { GENESIS_HASH, SignatureCache, TrustStore, chainAndSign, chainBatch, dataDigest, eventHash, signBatch, verifyEnvelope, type VerifyResult } from './index';

// Required rather than imported: the spy must replace the function on the module object the
// library calls through, not on an import's copy of it.
const nodeCrypto = require('node:crypto') as typeof import('node:crypto');

const police = newKey('police');
const trust = new TrustStore().add({ agencyId: 'police', keyId: police.keyId, publicKey: police.publicKey });
const signed = (count = 5, key = police, first = 1) => signBatch(key, chainedEvents(count, first)) as Record<string, unknown>[];
const failureOf = (result: VerifyResult) => (result.ok ? 'ok' : result.failure);
const reasonOf = (result: VerifyResult) => (result.ok ? '' : result.reason);
const check = (envelope: Record<string, unknown>, store = trust, signer = 'police') => verifyEnvelope(store, envelope, signer);
const parts = (envelope: Record<string, unknown>) => String(envelope.signature).split('.');
const withPart = (envelope: Record<string, unknown>, index: number, value: string) => {
  const p = parts(envelope);
  p[index] = value;
  return { ...envelope, signature: p.join('.') };
};

describe('signBatch', () => {
  const input = chainedEvents(5);
  const before = JSON.stringify(input);
  const batch = signBatch(police, input);

  it('then every event carries the key id', () => batch.forEach((e) => expect(e.keyid).toBe(police.keyId)));
  it('then the signature has seven dot-separated parts', () => expect(batch[0].signature.split('.')).toHaveLength(7));
  it('then the signature starts with v1', () => expect(parts(batch[0])[0]).toBe('v1'));
  it('then the signature names the first sequence', () => expect(parts(batch[3])[1]).toBe('1'));
  it('then the signature names the last sequence', () => expect(parts(batch[3])[2]).toBe('5'));
  it('then the signature names the index in the batch', () => expect(parts(batch[3])[3]).toBe('3'));
  it('then the signature carries the root in hex', () => expect(parts(batch[3])[4]).toMatch(/^[0-9a-f]{64}$/));
  it('then the signature carries 64 bytes in base64url', () => expect(Buffer.from(parts(batch[3])[5], 'base64url')).toHaveLength(64));
  it('then the proof is hex hashes joined by ~', () => expect(parts(batch[3])[6]).toMatch(/^[0-9a-f]{64}(~[0-9a-f]{64})*$/));
  it('then all events share root and batch signature', () => expect(new Set(batch.map((e) => parts(e).slice(4, 6).join('.'))).size).toBe(1));
  it('then a batch of one has an empty proof', () => expect(parts(signed(1)[0])[6]).toBe(''));
  it('then the input is not changed', () => expect(JSON.stringify(input)).toBe(before));
  it('then the hash is left as it was', () => expect(batch[2].hash).toBe(input[2].hash));
  it('then the signature message is the documented one', () => {
    const root = 'sha256:' + parts(batch[0])[4];
    const message = Buffer.from(`interlink-batch-v1\npolice\n1\n5\n${root}`);
    expect(nodeCrypto.verify(null, message, police.publicKey, Buffer.from(parts(batch[0])[5], 'base64url'))).toBe(true);
  });
  it('then an empty batch throws', () => expect(() => signBatch(police, [])).toThrow(/empty/));
  it('then an event without hash throws', () =>
    expect(() => signBatch(police, [{ ...input[0], hash: undefined as unknown as string }])).toThrow(/no hash/));
  it('then an event without sequence throws', () => expect(() => signBatch(police, [{ ...input[0], sequence: undefined }])).toThrow(/no sequence/));
  it('then a gap in sequences throws', () => expect(() => signBatch(police, [input[0], input[2]])).toThrow(/should have sequence 2/));
  it('then an event changed after chaining throws', () =>
    expect(() => signBatch(police, [{ ...input[0], subject: 'other' }])).toThrow(/changed after it was chained/));
  it('then a payload changed after chaining throws', () =>
    expect(() => signBatch(police, [{ ...input[0], data: { forged: true } }])).toThrow(/payload that no longer matches/));
  it('then a public key in place of the private key throws', () =>
    expect(() => signBatch({ ...police, privateKey: police.publicKey }, input)).toThrow(/not an Ed25519 private key/));
});

describe('chainAndSign', () => {
  const drafts = draftEvents(5, 11);
  const previous = chainedEvents(1, 10)[0].hash;
  const once = chainAndSign(police, drafts, previous);
  it('then it chains as chainBatch does', () =>
    expect(once.map(({ signature: _sig, keyid: _key, ...rest }) => rest)).toEqual(chainBatch(drafts, previous)));
  it('then it signs as signBatch does: every event verifies on its own', () =>
    once.forEach((event) => expect(check(event as Record<string, unknown>)).toEqual({ ok: true })));
  it('then the signature covers the same batch as signBatch over the chained events', () =>
    expect(parts(once[2] as Record<string, unknown>).slice(0, 5)).toEqual(parts(signBatch(police, chainBatch(drafts, previous))[2]).slice(0, 5)));
  it('then an empty batch throws', () => expect(() => chainAndSign(police, [], GENESIS_HASH)).toThrow(/empty/));
  it('then a gap in sequences throws', () =>
    expect(() => chainAndSign(police, [drafts[0], drafts[2]], previous)).toThrow(/chainAndSign: .* should have sequence 12/));
  it('then a public key in place of the private key throws', () =>
    expect(() => chainAndSign({ ...police, privateKey: police.publicKey }, drafts, previous)).toThrow(/not an Ed25519 private key/));
});

describe('verifyEnvelope', () => {
  describe('given hashes the caller has checked already', () => {
    const event = signed(3)[1];
    const trusting = (envelope: Record<string, unknown>) => verifyEnvelope(trust, envelope, 'police', undefined, { hashChecked: true });
    it('then an intact event verifies', () => expect(trusting(event)).toEqual({ ok: true }));
    it('then an edited header is left to the caller, but the signature still binds the recorded hash', () =>
      expect(failureOf(trusting({ ...event, hash: eventHash({ ...event, actor: 'x' }) }))).toBe('bad-signature'));
    it('then a forged signature still fails', () => expect(failureOf(trusting(withPart(event, 5, parts(signed(3, police, 41)[1])[5])))).toBe('bad-signature'));
  });

  describe('given an intact signed batch', () => {
    const batch = signed(7);
    it.each([0, 1, 2, 3, 4, 5, 6])('then event %i verifies on its own', (i) => expect(check(batch[i])).toEqual({ ok: true }));
    it('then a batch that does not start at 1 verifies', () => expect(check(signed(4, police, 41)[3])).toEqual({ ok: true }));
    it('then an event after a JSON round trip verifies', () => expect(check(JSON.parse(JSON.stringify(batch[4])))).toEqual({ ok: true }));
  });

  describe('given a withheld-data stub', () => {
    const [event] = signed(3).slice(1);
    const { data, ...rest } = event;
    const stub = { ...rest, datawithheld: 'RED' };
    it('then it still verifies', () => expect(check(stub)).toEqual({ ok: true }));
    it('then it verifies without the marker too', () => expect(check(rest)).toEqual({ ok: true }));
    it('then a header edited on the stub fails with bad-hash', () => expect(failureOf(check({ ...stub, classification: 'GREEN' }))).toBe('bad-hash'));
    it('then an empty marker does not excuse an edited payload', () =>
      expect(failureOf(check({ ...event, data: { forged: true }, datawithheld: '' }))).toBe('bad-data-hash'));
  });

  describe('given a tampered hash or payload', () => {
    const event = signed(3)[1];
    it('then an edited header attribute fails with bad-hash', () => expect(failureOf(check({ ...event, actor: 'police/someone-else' }))).toBe('bad-hash'));
    it('then an added attribute fails with bad-hash', () => expect(failureOf(check({ ...event, extra: 1 }))).toBe('bad-hash'));
    it('then a missing hash fails with bad-hash', () => expect(failureOf(check({ ...event, hash: undefined }))).toBe('bad-hash'));
    it('then a tampered datahash fails with bad-hash, as datahash is in the header', () =>
      expect(failureOf(check({ ...event, datahash: dataDigest({ forged: true }) }))).toBe('bad-hash'));
    it('then edited data fails with bad-data-hash', () => expect(failureOf(check({ ...event, data: { name: 'Someone Else' } }))).toBe('bad-data-hash'));
    it('then a removed datahash with data present fails', () => {
      const { datahash, ...rest } = event;
      expect(failureOf(check({ ...rest, hash: eventHash(rest) }))).toBe('bad-data-hash');
    });
    it('then a payload with hashes recomputed to match fails with bad-signature', () => {
      const forged = { ...event, data: { name: 'Someone Else' }, datahash: dataDigest({ name: 'Someone Else' }) };
      expect(failureOf(check({ ...forged, hash: eventHash(forged) }))).toBe('bad-signature');
    });
    it('then the bad-hash reason names the event id', () => expect(reasonOf(check({ ...event, actor: 'x' }))).toContain(String(event.id)));
    it('then the bad-hash reason names the sequence', () => expect(reasonOf(check({ ...event, actor: 'x' }))).toContain('sequence 2'));
    it('then the bad-data-hash reason says the payload was changed', () =>
      expect(reasonOf(check({ ...event, data: {} }))).toMatch(/payload that was changed after it was sealed/));
  });

  describe('given a malformed signature', () => {
    const event = signed(5)[2];
    const malformed = (envelope: Record<string, unknown>) => failureOf(check(envelope));
    it('then no signature is malformed', () => expect(malformed({ ...event, signature: undefined })).toBe('malformed-signature'));
    it('then garbage is malformed', () => expect(malformed({ ...event, signature: 'not a signature' })).toBe('malformed-signature'));
    it('then another version is malformed', () => expect(malformed({ ...event, signature: String(event.signature).replace(/^v1/, 'v2') })).toBe('malformed-signature'));
    it('then a missing part is malformed', () => expect(malformed({ ...event, signature: parts(event).slice(0, 6).join('.') })).toBe('malformed-signature'));
    it('then a proof one hash short is malformed', () => expect(malformed(withPart(event, 6, parts(event)[6].split('~').slice(1).join('~')))).toBe('malformed-signature'));
    it('then an index outside the batch is malformed', () => expect(malformed(withPart(event, 3, '5'))).toBe('malformed-signature'));
    it('then a range that runs backwards is malformed', () => expect(malformed(withPart(event, 2, '0'))).toBe('malformed-signature'));
    it('then a number with a leading zero is malformed', () => expect(malformed(withPart(event, 1, '01'))).toBe('malformed-signature'));
    it('then an upper-case root is malformed', () => expect(malformed(withPart(event, 4, parts(event)[4].toUpperCase()))).toBe('malformed-signature'));
    it('then a short signature is malformed', () => expect(malformed(withPart(event, 5, parts(event)[5].slice(2)))).toBe('malformed-signature'));
    it('then a non-canonical base64url signature is malformed', () => {
      // 86 characters carry 516 bits for 512: the last character's low four bits are unused, so
      // adding one to it spells the same bytes differently.
      const sig = parts(event)[5];
      const alias = sig.slice(0, 85) + String.fromCharCode(sig.charCodeAt(85) + 1);
      expect(Buffer.from(alias, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      expect(malformed(withPart(event, 5, alias))).toBe('malformed-signature');
    });
    it('then a huge signature is malformed', () => expect(malformed({ ...event, signature: 'v1.' + '1'.repeat(10_000) })).toBe('malformed-signature'));
    it('then the reason names the event', () => expect(reasonOf(check({ ...event, signature: 'x' }))).toContain(String(event.id)));
  });

  describe('given a signature of the batch whose signature was parsed just before', () => {
    // The batch part of such a signature is not parsed again (see parseInBatchSeen): every
    // variant must still give what it gives when another batch was parsed last.
    const batch = signed(6);
    const other = signed(6, police, 7);
    const proof = parts(batch[3])[6];
    const variants: [string, Record<string, unknown>][] = [
      ['an intact event', batch[3]],
      ['a proof hash with a character that is not hex', withPart(batch[3], 6, 'g' + proof.slice(1))],
      ['a proof hash one character short', withPart(batch[3], 6, proof.slice(1))],
      ['a proof hash one character long', withPart(batch[3], 6, '0' + proof)],
      ['a proof one hash short', withPart(batch[3], 6, proof.split('~').slice(1).join('~'))],
      ['a proof with an empty hash at its end', withPart(batch[3], 6, proof + '~')],
      ['a proof with a doubled separator', withPart(batch[3], 6, proof.replace('~', '~~'))],
      ['an upper-case proof', withPart(batch[3], 6, proof.toUpperCase())],
      ['a proof hash of another batch', withPart(batch[3], 6, parts(other[3])[6])],
      ['an index outside the batch', withPart(batch[3], 3, '6')],
      ['an index with a leading zero', withPart(batch[3], 3, '03')],
      ['an empty index', withPart(batch[3], 3, '')],
      ['the index of another event of the batch', withPart(batch[3], 3, '2')],
      ['an index too large to be exact', withPart(batch[3], 3, '9'.repeat(20))],
      ['the signature of another batch over the same range', withPart(batch[3], 5, parts(other[3])[5])],
    ];
    it.each(variants)('then %s gives what it gives when another batch was parsed last', (_, envelope) => {
      check(other[0]);
      const fresh = check(envelope);
      check(batch[0]);
      expect(check(envelope)).toEqual(fresh);
    });
    it.each(variants.slice(1))('then %s fails', (_, envelope) => {
      check(batch[0]);
      expect(check(envelope).ok).toBe(false);
    });
  });

  describe('given a problem with the key', () => {
    const event = signed(3)[0];
    it('then a key not in the trust store is unknown-key', () => expect(failureOf(check(event, new TrustStore()))).toBe('unknown-key'));
    it('then the unknown-key reason names the key', () => expect(reasonOf(check(event, new TrustStore()))).toContain(police.keyId));
    it('then a missing keyid is unknown-key', () => expect(failureOf(check({ ...event, keyid: undefined }))).toBe('unknown-key'));
    it('then a key of another agency is key-not-of-sender', () => expect(failureOf(check(event, trust, 'immigration'))).toBe('key-not-of-sender'));
    it('then the key-not-of-sender reason names both agencies', () =>
      expect(reasonOf(check(event, trust, 'immigration'))).toMatch(/belongs to police.*expected from immigration/));
    it('then a key id trusted for another agency is key-not-of-sender', () => {
      const store = new TrustStore().add({ agencyId: 'immigration', keyId: police.keyId, publicKey: police.publicKey });
      expect(failureOf(check(event, store))).toBe('key-not-of-sender');
    });
  });

  describe('given a key with a validity window', () => {
    const event = signed(1)[0];
    const retiredAt = (iso: string) => new TrustStore().add({ agencyId: 'police', keyId: police.keyId, publicKey: police.publicKey, notAfter: new Date(iso) });
    it('then an event dated before notAfter verifies', () => expect(check(event, retiredAt('2025-03-02T00:00:00Z'))).toEqual({ ok: true }));
    it('then an event dated exactly at notAfter verifies', () => expect(check(event, retiredAt(String(event.time)))).toEqual({ ok: true }));
    it('then an event dated after notAfter is key-expired', () => expect(failureOf(check(event, retiredAt('2025-03-01T09:59:59Z')))).toBe('key-expired'));
    it('then the key-expired reason gives the retirement date', () => expect(reasonOf(check(event, retiredAt('2025-03-01T09:00:00Z')))).toContain('2025-03-01T09:00:00.000Z'));
    it('then an event without a valid time is key-expired', () => {
      const [undated] = signBatch(police, chainBatch([{ ...chainedEvents(1)[0], time: 'soon' }], GENESIS_HASH));
      expect(failureOf(check(undated, retiredAt('2030-01-01T00:00:00Z')))).toBe('key-expired');
    });
  });

  describe('given a bad signature', () => {
    const batch = signed(6);
    const other = signed(6, police, 7);
    const impostor = newKey('police', police.keyId);
    it('then a batch signed by another key under the same key id fails', () => expect(failureOf(check(signed(3, impostor)[1]))).toBe('bad-signature'));
    it('then the signature bytes of another batch fail', () => expect(failureOf(check(withPart(batch[2], 5, parts(other[2])[5])))).toBe('bad-signature'));
    it('then another root fails', () => expect(failureOf(check(withPart(batch[2], 4, parts(other[2])[4])))).toBe('bad-signature'));
    it('then a changed proof hash fails', () => expect(failureOf(check(withPart(batch[2], 6, parts(other[2])[6])))).toBe('bad-signature'));
    it('then the signature of another event of the batch fails', () => expect(failureOf(check({ ...batch[2], signature: batch[3].signature }))).toBe('bad-signature'));
    it('then the signature of another event at the same index fails', () => expect(failureOf(check({ ...batch[2], signature: other[2].signature }))).toBe('bad-signature'));
    it('then a widened range fails', () => expect(failureOf(check(withPart(batch[0], 2, '7')))).toBe('bad-signature'));
    it('then a flipped signature bit fails', () => {
      const sig = Buffer.from(parts(batch[1])[5], 'base64url');
      sig[10] ^= 1;
      expect(failureOf(check(withPart(batch[1], 5, sig.toString('base64url'))))).toBe('bad-signature');
    });
    it('then a batch signed for another agency id fails', () => {
      const relabelled = signBatch({ ...police, agencyId: 'immigration' }, chainedEvents(2));
      expect(failureOf(check(relabelled[0]))).toBe('bad-signature');
    });
    it('then the bad-signature reason names the event', () => expect(reasonOf(check(signed(2, impostor)[1]))).toContain('sequence 2'));
  });

  describe('given a cache', () => {
    let verifySpy: jest.SpyInstance;
    beforeEach(() => {
      verifySpy = jest.spyOn(nodeCrypto, 'verify');
    });
    afterEach(() => verifySpy.mockRestore());

    it('then a batch of 1000 events runs Ed25519 verify once', () => {
      const batch = signed(1000);
      const cache = new SignatureCache();
      verifySpy.mockClear();
      const results = batch.map((event) => verifyEnvelope(trust, event, 'police', cache));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(verifySpy).toHaveBeenCalledTimes(1);
    });
    it('then without a cache every event runs Ed25519 verify', () => {
      signed(4).forEach((event) => verifyEnvelope(trust, event, 'police'));
      expect(verifySpy).toHaveBeenCalledTimes(4);
    });
    it('then a cache holds one entry per batch', () => {
      const cache = new SignatureCache();
      [...signed(3), ...signed(3, police, 4)].forEach((event) => verifyEnvelope(trust, event, 'police', cache));
      expect(cache.size).toBe(2);
    });
    it('then a failed signature is not remembered', () => {
      const cache = new SignatureCache();
      const forged = signed(2, newKey('police', police.keyId));
      forged.forEach((event) => verifyEnvelope(trust, event, 'police', cache));
      expect([cache.size, verifySpy.mock.calls.length]).toEqual([0, 2]);
    });
    it('then an edited event of a cached batch still fails', () => {
      const cache = new SignatureCache();
      const batch = signed(3);
      verifyEnvelope(trust, batch[0], 'police', cache);
      expect(failureOf(verifyEnvelope(trust, { ...batch[1], subject: 'x' }, 'police', cache))).toBe('bad-hash');
    });
    it('then a forged proof against a cached root still fails', () => {
      const cache = new SignatureCache();
      const batch = signed(3);
      verifyEnvelope(trust, batch[0], 'police', cache);
      const [forged] = chainBatch([{ ...chainedEvents(1, 2)[0], subject: 'forged' }], String(batch[0].hash));
      expect(failureOf(verifyEnvelope(trust, { ...forged, keyid: police.keyId, signature: batch[1].signature }, 'police', cache))).toBe('bad-signature');
    });
    it('then each event of a cached batch hashes little more than its own leaf', () => {
      const batch = signed(512);
      const cache = new SignatureCache();
      verifyEnvelope(trust, batch[0], 'police', cache);
      const hashSpy = jest.spyOn(nodeCrypto, 'createHash');
      const results = batch.slice(1).map((event) => verifyEnvelope(trust, event, 'police', cache, { hashChecked: true }));
      const perEvent = hashSpy.mock.calls.length / 511;
      hashSpy.mockRestore();
      expect(results.every((r) => r.ok)).toBe(true);
      expect(perEvent).toBeLessThan(2);
    });
    it('then an event of a cached batch with another place or another proof fails', () => {
      const cache = new SignatureCache();
      const batch = signed(8);
      batch.forEach((event) => verifyEnvelope(trust, event, 'police', cache));
      expect(failureOf(verifyEnvelope(trust, withPart(batch[5], 3, '6'), 'police', cache))).toBe('bad-signature');
      const proof = parts(batch[5])[6].split('~');
      for (let k = 0; k < proof.length; k++) {
        const swapped = [...proof];
        swapped[k] = parts(batch[6])[6].split('~')[k];
        if (swapped[k] === proof[k]) continue;
        expect(failureOf(verifyEnvelope(trust, withPart(batch[5], 6, swapped.join('~')), 'police', cache))).toBe('bad-signature');
      }
      expect(verifyEnvelope(trust, batch[5], 'police', cache)).toEqual({ ok: true });
    });
    it('then an event from outside a cached batch with a proof into it fails', () => {
      const cache = new SignatureCache();
      const batch = signed(4);
      batch.forEach((event) => verifyEnvelope(trust, event, 'police', cache));
      const [outsider] = chainBatch([{ ...chainedEvents(1, 2)[0], subject: 'outsider' }], String(batch[0].hash));
      for (const donor of batch) {
        expect(failureOf(verifyEnvelope(trust, { ...outsider, keyid: police.keyId, signature: donor.signature }, 'police', cache))).toBe('bad-signature');
      }
    });
    it('then it holds no more batches than it was given', () => {
      const cache = new SignatureCache(2);
      [1, 4, 7].forEach((first) => signed(3, police, first).forEach((event) => verifyEnvelope(trust, event, 'police', cache)));
      expect([cache.size, verifySpy.mock.calls.length]).toEqual([2, 3]);
    });
    it('then a retired key is still checked on a cache hit', () => {
      const cache = new SignatureCache();
      const [event] = signed(1);
      verifyEnvelope(trust, event, 'police', cache);
      const retired = new TrustStore().add({ agencyId: 'police', keyId: police.keyId, publicKey: police.publicKey, notAfter: new Date('2020-01-01') });
      expect(failureOf(verifyEnvelope(retired, event, 'police', cache))).toBe('key-expired');
    });
    it('then a cache shared with a store holding another key under the same id does not vouch for it', () => {
      const cache = new SignatureCache();
      const [event] = signed(1);
      verifyEnvelope(trust, event, 'police', cache);
      const other = new TrustStore().add({ agencyId: 'police', keyId: police.keyId, publicKey: newKey().publicKey });
      expect(failureOf(verifyEnvelope(other, event, 'police', cache))).toBe('bad-signature');
    });
  });
});
