import { parseRecord } from './archive.consumer';

const envelope = { id: '0191d3a4-0000-7000-8000-000000000001', type: 'intel.police.suspect-identified', subject: 'suspect-1', sequence: 7, time: '2026-03-01T10:00:00Z', data: {} };
const record = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseRecord', () => {
  it('reads what it can of an envelope, without trusting it', () =>
    expect(parseRecord(record(envelope))).toEqual({
      envelope,
      sequence: 7,
      eventId: envelope.id,
      type: envelope.type,
      subject: 'suspect-1',
      time: '2026-03-01T10:00:00.000Z',
      unreadable: null,
    }));

  it.each([
    ['no value', null, /^the record has no value$/],
    ['an empty value', Buffer.alloc(0), /^the record has no value$/],
    ['bytes that are not JSON', Buffer.from([0xff, 0x7b]), /^not JSON: /],
    ['a NUL byte, which the JSON parser quotes in its message', Buffer.from([0]), /^not JSON: [^\u0000]*$/],
    ['JSON that is not an object', record([envelope]), /^JSON, but not an object/],
    ['deep nesting', record(`{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /^nested more than 64 levels deep/],
    ['a NUL', record({ ...envelope, subject: 'suspect-\u0000' }), /^the envelope at \/subject holds a NUL character \(U\+0000\), which Postgres cannot store$/],
    ['a lone surrogate', record({ ...envelope, data: { name: 'x\udc00' } }), /^the envelope at \/data\/name holds a lone UTF-16 surrogate \(U\+DC00\)/],
    ['an escaped NUL in a field name', record(`{"data":{"a\\u0000":1}}`), /has a field name that holds a NUL character/],
  ])('keeps a record with %s as raw bytes only, saying why', (_what, value, reason) => {
    const parsed = parseRecord(value as Buffer | null);
    expect(parsed.envelope).toBeNull();
    expect(parsed.unreadable).toMatch(reason);
  });

  it.each([
    ['1'], ['2026'], ['2026-02-30T00:00:00Z'], ['2025-02-29T00:00:00Z'], ['0000-01-01T00:00:00Z'], ['+275760-09-13T00:00:00Z'],
    ['9999-12-31T23:59:60Z'], ['2026-01-01T24:00:00Z'], ['2026-01-01T00:00:00+99:99'], ['\uff12\uff10\uff12\uff16-01-01T00:00:00Z'], [''], [12345], [null],
  ])('leaves out a time Postgres would not take or would read otherwise: %p', (time) => {
    const parsed = parseRecord(record({ ...envelope, time }));
    expect(parsed.time).toBeNull();
    expect(parsed.envelope).not.toBeNull();
  });

  it.each([
    ['2024-02-29T23:59:59.123456Z', '2024-02-29T23:59:59.123Z'],
    ['2026-03-01 10:00:00+08:00', '2026-03-01T02:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59z', '9999-12-31T23:59:59.000Z'],
  ])('reads the time %s as %s', (time, expected) => expect(parseRecord(record({ ...envelope, time })).time).toBe(expected));
});
