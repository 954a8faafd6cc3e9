import { BadKeyDelivery, decodeKeyDelivery } from './personal-data';

const ref = '0191d3a4-0000-7000-8000-000000000001';
const key = Buffer.alloc(32, 7).toString('base64');
const message = (value: unknown, messageKey: string | null = ref) => ({
  key: messageKey === null ? null : Buffer.from(messageKey),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('decodeKeyDelivery', () => {
  it('reads a key for a person record from its owner', () => {
    expect(decodeKeyDelivery('immigration', 'keys.police.immigration', message({ ref, key }))).toEqual({ owner: 'police', ref, key: Buffer.alloc(32, 7) });
  });

  it('reads a tombstone as the erasure of the record', () => {
    expect(decodeKeyDelivery('immigration', 'keys.police.immigration', message(null))).toEqual({ owner: 'police', ref, key: null });
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
