import { BadKeyDelivery, decodeKeyDelivery } from './personal-data';

const ref = '0191d3a4-0000-7000-8000-000000000001';
const key = Buffer.alloc(32, 7).toString('base64');
const message = (value: unknown, messageKey: string | null = ref) => ({
  key: messageKey === null ? null : Buffer.from(messageKey),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('decodeKeyDelivery', () => {
  it('reads a key for a person record from its owner', () => {
    expect(decodeKeyDelivery('immigration', 'keys.police.immigration', message({ ref, key }))).toEqual({ owner: 'police', recipient: 'immigration', ref, key: Buffer.alloc(32, 7) });
  });

  it('reads the seal its owner put in the headers, for a verifier to check', () => {
    const seal = { 'interlink-signed-at': '2026-03-01T10:00:00.000Z', 'interlink-keyid': 'police:1', 'interlink-signature': 'c2lnbmVk' };
    expect(decodeKeyDelivery('immigration', 'keys.police.immigration', { ...message(null), headers: { ...seal, other: Buffer.from('x') } })).toEqual({
      owner: 'police', recipient: 'immigration', ref, key: null, time: '2026-03-01T10:00:00.000Z', keyid: 'police:1', signature: 'c2lnbmVk',
    });
  });

  it('reads a tombstone as the erasure of the record', () => {
    expect(decodeKeyDelivery('immigration', 'keys.police.immigration', message(null))).toEqual({ owner: 'police', recipient: 'immigration', ref, key: null });
  });

  it.each([
    ['a topic that is not a keys topic', 'intel.police.immigration', message({ ref, key }), /not a keys.<from>.<to> topic/],
    ['a topic addressed to another agency', 'keys.police.audit', message({ ref, key }), /addressed to "audit"/],
    ['a message key that is not a record id', 'keys.police.immigration', message({ ref, key }, 'Robert'), /not the id of a person record/],
    ['no message key', 'keys.police.immigration', message({ ref, key }, null), /not the id of a person record/],
    ['a value that is not JSON', 'keys.police.immigration', message('{"ref":'), /is not JSON/],
    ['a value naming another record', 'keys.police.immigration', message({ ref: '0191d3a4-0000-7000-8000-000000000002', key }), /names another record/],
    ['no key', 'keys.police.immigration', message({ ref }), /has no base64 "key"/],
    ['a key that is not base64', 'keys.police.immigration', message({ ref, key: 'not base64!' }), /has no base64 "key"/],
    ['a key of the wrong length', 'keys.police.immigration', message({ ref, key: Buffer.alloc(16).toString('base64') }), /has 16 bytes, not 32/],
  ])('refuses %s, saying what is wrong', (_what, topic, delivered, reason) => {
    expect(() => decodeKeyDelivery('immigration', topic, delivered)).toThrow(BadKeyDelivery);
    expect(() => decodeKeyDelivery('immigration', topic, delivered)).toThrow(reason);
  });
});
