import fc from 'fast-check';

/**
 * A value written into a request as raw JSON text: hostile input that a JavaScript value cannot
 * carry (duplicate keys, `__proto__` as a key, numbers beyond doubles) or that would make the
 * printed counterexample unreadable (a megabyte string, nesting thousands of levels deep).
 * A counterexample prints its label.
 */
export class Raw {
  constructor(
    readonly label: string,
    readonly json: () => string,
  ) {}

  [fc.toStringMethod](): string {
    return `Raw(${this.label})`;
  }
}

/** The request body's JSON text; Raw parts are written as they are. */
export function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.json();
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const repeat = (unit: string, times: number) => new Raw(`${JSON.stringify(unit)} × ${times}`, () => JSON.stringify(unit.repeat(times)));

/** Arrays (or objects) inside each other `depth` times, around `inner`. */
export function nested(depth: number, kind: 'array' | 'object' = 'array', inner = '1'): Raw {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return new Raw(`${kind}s nested ${depth} deep`, () => open.repeat(depth) + inner + close.repeat(depth));
}

/**
 * Text of every awkward kind: what Postgres cannot store (NUL, lone UTF-16 surrogates, high or
 * low, at either end), direction marks and overrides, emoji and their joiners, combining marks,
 * non-characters, controls, other scripts, things that look like code, dates at the edges.
 */
export const HOSTILE_TEXT: string[] = [
  '',
  ' ',
  '\t\r\n',
  '\u0000',
  'Tan\u0000Ah Kow',
  '\ud800',
  'Tan Ah Kow\ud83e',
  '\udc00Tan',
  '\udfff\ud800',
  '\u202eKLIA\u202c',
  '\u200f\u200e\u2066\u2069',
  '🧭',
  '👨‍👩‍👧‍👦',
  '🇲🇾🏳️‍🌈',
  'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308',
  'Z̴̡̛̙̈́a̷͍l̶g̸o̵',
  '\uffff\ufffe\ufeff',
  '\u0001\u001f\u007f\u0085\u2028\u2029',
  '𝕏𝔸𝕄',
  'Nguyễn Văn Ánh',
  'محمد بن سلمان',
  'ลักพาตัว',
  '北京市朝阳区',
  'मुंबई',
  "'; DROP TABLE interlink.events; --",
  '%s%n%x',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '\\',
  '"',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  '2023-W01',
  '2023-100',
  '2023-02-29',
  '0000-00-00',
  '9999-12-31T23:59:60Z',
  '+275760-09-13T00:00:00.001Z',
  '2023-10-19T24:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
];

export const hostileText = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 8 }) },
  );

/** Strings too long for any field, yet within the 1 MB body limit. */
export const hugeText = (): fc.Arbitrary<Raw> =>
  fc.constantFrom(repeat('x', 10_000), repeat('é', 200_000), repeat('🧭', 100_000), repeat('\u0301', 300_000));

/** Any JSON value of the wrong kind for a field, and raw JSON no JavaScript value can carry. */
export const wrongValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -0, [], {}, [null], [[]], [{}], { '': '' }, ['x'], { a: 1 }, ''),
    fc.constantFrom(
      new Raw('1e400', () => '1e400'),
      new Raw('-1e400', () => '-1e400'),
      new Raw('123456789012345678901234567890', () => '123456789012345678901234567890'),
      new Raw('duplicate keys', () => '{"a":1,"a":2}'),
      new Raw('__proto__ key', () => '{"__proto__":{"polluted":true}}'),
      new Raw('constructor.prototype', () => '{"constructor":{"prototype":{"polluted":true}}}'),
      new Raw('escaped NUL', () => '"\\u0000"'),
      new Raw('escaped lone surrogate', () => '"\\ud800"'),
      new Raw('escaped reversed pair', () => '"\\udc00\\ud800"'),
    ),
    hostileText(),
    fc.anything({ maxDepth: 3 }).filter((v) => JSON.stringify(v) !== undefined),
  );

/** Field names no DTO has, some of them dangerous to a careless object merge. */
export const unknownFieldName = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'actor', 'streamVersion', 'isAdmin', '', '\u0000', '\ud800', 'a'.repeat(1000)),
    fc.string({ minLength: 1, maxLength: 12 }),
  );

/**
 * Percent-encodes every UTF-16 unit, lone surrogates included: a lone surrogate has no UTF-8
 * form, so it goes as the three bytes it would take in WTF-8 (e.g. %ED%A0%80), which no
 * decoder accepts as UTF-8.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

/** Path segments and query values as they go on the wire, already encoded. */
export const hostileUrlPart = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: hostileText().map(percentEncode) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '%00',
        'abc%00',
        '018f3f5e-1c2d-7a00-8000-000000000001%00',
        '%ED%A0%80',
        '%ED%B0%80x',
        '%F0%9F',
        '%C0%AE%C0%AE',
        '%',
        '%zz',
        '%25',
        '..%2F..%2Fadmin',
        '%2e%2e',
        '..',
        '.',
        ';x=1',
        'x'.repeat(2000),
        '%E2%80%AE',
        '018F3F5E-1C2D-7A00-8000-000000000001',
      ),
    },
  );
