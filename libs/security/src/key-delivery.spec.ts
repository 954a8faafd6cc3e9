import { newKey } from '../test/fixtures';
import { KEY_SEAL_HEADERS, TrustStore, signKeyDelivery, verifyKeyDelivery, type KeyStatement, type VerifyResult } from './index';

const police = newKey('police');
const immigration = newKey('immigration');
const trust = new TrustStore()
  .add({ agencyId: 'police', keyId: police.keyId, publicKey: police.publicKey })
  .add({ agencyId: 'immigration', keyId: immigration.keyId, publicKey: immigration.publicKey });
const statement: KeyStatement = {
  owner: 'police',
  recipient: 'immigration',
  ref: '0191d3a4-0000-7000-8000-000000000001',
  key: Buffer.alloc(32, 7),
  time: '2026-03-01T10:00:00.000Z',
};
const seal = signKeyDelivery(police, statement);
const sealOf = (headers: Record<string, string>) => ({ keyid: headers[KEY_SEAL_HEADERS.keyid], signature: headers[KEY_SEAL_HEADERS.signature] });
const outcome = (result: VerifyResult) => (result.ok ? 'ok' : `${result.failure}: ${result.reason}`);

describe('signKeyDelivery and verifyKeyDelivery', () => {
  it('verify a delivery as its owner signed it', () => expect(verifyKeyDelivery(trust, statement, sealOf(seal))).toEqual({ ok: true }));

  it('verify an erasure (a tombstone, which has no value) signed by its owner', () => {
    const erased = { ...statement, key: null };
    expect(verifyKeyDelivery(trust, erased, sealOf(signKeyDelivery(police, erased)))).toEqual({ ok: true });
  });

  it('put the signing time and key id in the headers', () =>
    expect(seal).toMatchObject({ [KEY_SEAL_HEADERS.time]: statement.time, [KEY_SEAL_HEADERS.keyid]: police.keyId }));

  it.each([
    ['another key', { key: Buffer.alloc(32, 8) }],
    ['an erasure in place of the key', { key: null }],
    ['another record', { ref: '0191d3a4-0000-7000-8000-000000000002' }],
    ['another recipient', { recipient: 'foreign-ministry' }],
    ['another time', { time: '2026-03-01T10:00:01.000Z' }],
  ])('refuse the seal of a delivery carried over to %s', (_what, change) =>
    expect(outcome(verifyKeyDelivery(trust, { ...statement, ...change }, sealOf(seal)))).toMatch(/^bad-signature: .*does not verify with key/));

  it("refuse a delivery signed with another agency's key", () =>
    expect(outcome(verifyKeyDelivery(trust, statement, sealOf(signKeyDelivery(immigration, { ...statement, owner: 'immigration' }))))).toMatch(
      /^key-not-of-sender: .*belongs to immigration, but it was expected from police/,
    ));

  it('refuse a delivery signed with a key not trusted here', () =>
    expect(outcome(verifyKeyDelivery(trust, statement, sealOf(signKeyDelivery(newKey('police', 'police:unknown'), statement))))).toMatch(/^unknown-key: .*not trusted here/));

  it('refuse a delivery signed with a key retired before it was signed', () => {
    const retired = new TrustStore().add({ agencyId: 'police', keyId: police.keyId, publicKey: police.publicKey, notAfter: new Date('2026-01-01T00:00:00Z') });
    expect(outcome(verifyKeyDelivery(retired, statement, sealOf(seal)))).toMatch(/^key-expired: .*after key .* was retired/);
  });

  it.each([
    ['no signature', { keyid: police.keyId }, /^malformed-signature: .*carries no signature/],
    ['a signature that is not base64url', { keyid: police.keyId, signature: '!'.repeat(86) }, /^malformed-signature: .*canonical base64url/],
    ['no key id', { signature: sealOf(seal).signature }, /^unknown-key: .*does not name the key/],
  ])('refuse a delivery with %s', (_what, given, reason) => expect(outcome(verifyKeyDelivery(trust, statement, given))).toMatch(reason));

  it("refuse to sign a record with another agency's key", () => expect(() => signKeyDelivery(immigration, statement)).toThrow(/is immigration's, but the record .* is police's/));
});
