import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, dataDigest } from './index';

describe('canonicalJson', () => {
  describe('given the example of RFC 8785 section 3.2.2', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    it('then the output is the one the RFC gives', () => expect(canonicalJson(input)).toBe(expected));
  });

  describe('given the property sorting example of RFC 8785 section 3.2.3', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read back from the text: an object would list the integer-like key "1" first whatever the text says.
    const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => JSON.parse(`"${match[1]}"`));
    it('then the keys come in the order the RFC gives', () =>
      expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']));
    it('then the whole text is the one the RFC gives', () =>
      expect(canonicalJson(input)).toBe(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      ));
  });

  describe('given keys that sort differently by code point than by UTF-16 code unit', () => {
    it('then a surrogate pair (U+1F600) sorts before U+FB33', () =>
      expect(canonicalJson({ '\ufb33': 1, '\ud83d\ude00': 2 })).toBe('{"\ud83d\ude00":2,"\ufb33":1}'));
  });

  describe('given plain ASCII keys', () => {
    it('then upper case sorts before lower case', () => expect(canonicalJson({ b: 1, a: 2, B: 3 })).toBe('{"B":3,"a":2,"b":1}'));
    it('then integer-like keys sort as strings, not as numbers', () => expect(canonicalJson({ 10: 1, 9: 2, a: 3 })).toBe('{"10":1,"9":2,"a":3}'));
    it('then a prefix sorts before its extensions', () => expect(canonicalJson({ ab: 1, a: 2, abc: 3 })).toBe('{"a":2,"ab":1,"abc":3}'));
    it('then insertion order does not matter', () => expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 })));
  });

  describe('given numbers', () => {
    it('then 1e21 is written in exponent form', () => expect(canonicalJson(1e21)).toBe('1e+21'));
    it('then 1e20 is written in full', () => expect(canonicalJson(1e20)).toBe('100000000000000000000'));
    it('then 0.1 stays 0.1', () => expect(canonicalJson(0.1)).toBe('0.1'));
    it('then 0.1 + 0.2 keeps its shortest round-trip digits', () => expect(canonicalJson(0.1 + 0.2)).toBe('0.30000000000000004'));
    it('then -0 is written as 0', () => expect(canonicalJson(-0)).toBe('0'));
    it('then 1E-7 is written as 1e-7', () => expect(canonicalJson(1e-7)).toBe('1e-7'));
    it('then 0.000001 is written in full', () => expect(canonicalJson(0.000001)).toBe('0.000001'));
    it('then 4.50 loses its trailing zero', () => expect(canonicalJson(4.5)).toBe('4.5'));
    it('then the smallest subnormal is 5e-324', () => expect(canonicalJson(Number.MIN_VALUE)).toBe('5e-324'));
    it('then the largest double keeps its 17 digits', () => expect(canonicalJson(Number.MAX_VALUE)).toBe('1.7976931348623157e+308'));
    it('then 2^53 + 1 is written as the double it parses to', () => expect(canonicalJson(JSON.parse('9007199254740993'))).toBe('9007199254740992'));
    it('then a negative fraction keeps its sign', () => expect(canonicalJson(-1.5)).toBe('-1.5'));
    it('then every number is written as JSON.stringify writes it', () => {
      for (const n of [0, 1, -1, 123.456, 1e-6, 1.5e-7, 2 ** 60, -(2 ** -40), 1 / 3]) expect(canonicalJson(n)).toBe(JSON.stringify(n));
    });
  });

  describe('given strings', () => {
    it('then a line feed is escaped as \\n', () => expect(canonicalJson('a\nb')).toBe('"a\\nb"'));
    it('then other control characters use lowercase \\u escapes', () => expect(canonicalJson('\u001f')).toBe('"\\u001f"'));
    it('then the solidus is not escaped', () => expect(canonicalJson('a/b')).toBe('"a/b"'));
    it('then non-ASCII characters are written as themselves', () => expect(canonicalJson('ö€')).toBe('"ö€"'));
    it('then a surrogate pair is written as itself', () => expect(canonicalJson('😀')).toBe('"😀"'));
    it('then U+2028 is written as itself, as JSON.stringify does', () => expect(canonicalJson('\u2028')).toBe('"\u2028"'));
    it('then a lone surrogate is escaped as JSON.stringify does', () => expect(canonicalJson('\ud800')).toBe('"\\ud800"'));
    it('then quotes and backslashes are escaped', () => expect(canonicalJson('"\\')).toBe('"\\"\\\\"'));
    it('then a key is escaped like a value', () => expect(canonicalJson({ 'a"\n': 1 })).toBe('{"a\\"\\n":1}'));
  });

  describe('given nested arrays and objects', () => {
    it('then there is no whitespace', () => expect(canonicalJson({ a: [1, { b: 2 }], c: {} })).toBe('{"a":[1,{"b":2}],"c":{}}'));
    it('then keys are sorted at every depth', () =>
      expect(canonicalJson({ z: { y: [{ b: 1, a: [{ d: 1, c: 2 }] }] }, a: null })).toBe('{"a":null,"z":{"y":[{"a":[{"c":2,"d":1}],"b":1}]}}'));
    it('then array order is kept', () => expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]'));
    it('then empty containers are kept', () => expect(canonicalJson([[], {}, [[]]])).toBe('[[],{},[[]]]'));
    it('then literals are written as JSON literals', () => expect(canonicalJson([null, true, false])).toBe('[null,true,false]'));
    it('then the same object twice (not a cycle) is written twice', () => {
      const shared = { k: 1 };
      expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
    });
  });

  describe('given values JSON.stringify transforms', () => {
    it('then a property whose value is undefined is left out', () => expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}'));
    it('then a Date is written through its toJSON', () => expect(canonicalJson({ at: new Date(Date.UTC(2025, 0, 2)) })).toBe('{"at":"2025-01-02T00:00:00.000Z"}'));
    it('then a boxed string is written as the string', () => expect(canonicalJson(Object('x'))).toBe('"x"'));
    it('then the output parses back to an equal value', () => {
      const value = { b: [1, 'two', { c: null }], a: 0.5 };
      expect(JSON.parse(canonicalJson(value))).toEqual(value);
    });
  });

  describe('given values without a JSON form', () => {
    it('then NaN throws', () => expect(() => canonicalJson({ a: NaN })).toThrow(/not a finite number/));
    it('then Infinity throws', () => expect(() => canonicalJson([Infinity])).toThrow(/not a finite number/));
    it('then -Infinity throws', () => expect(() => canonicalJson(-Infinity)).toThrow(/not a finite number/));
    it('then undefined inside an array throws', () => expect(() => canonicalJson([1, undefined])).toThrow(/array/));
    it('then a bigint throws', () => expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/));
    it('then a function throws', () => expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/));
    it('then a symbol throws', () => expect(() => canonicalJson(Symbol('s'))).toThrow(/symbol/));
    it('then undefined on its own throws', () => expect(() => canonicalJson(undefined)).toThrow(/undefined/));
    it('then a cycle throws', () => {
      const a: Record<string, unknown> = {};
      a.self = a;
      expect(() => canonicalJson(a)).toThrow(/refers back to itself/);
    });
    it('then the error names where the value is', () => expect(() => canonicalJson({ a: { b: [0, NaN] } })).toThrow('$.a.b[1]'));
    it('then a value nested past the fast path that is not a cycle is still written', () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 1000; i++) deep = i % 2 ? [deep] : { d: deep };
      expect(JSON.parse(canonicalJson(deep))).toEqual(deep);
    });
  });

  describe('given any JSON value', () => {
    it('then the text parses back to it, and any key order gives the same text', () =>
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const text = canonicalJson(value);
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
          expect(canonicalJson(reversedKeys(value))).toBe(text);
        }),
      ));
  });

  describe('given many objects of many shapes, as a log holds', () => {
    // Objects with the same names in the same order share one sort (see sortedNames); names are
    // quoted once. Shapes here share first names, differ in order or length, and outnumber what
    // is remembered, so entries are forgotten and learnt again.
    const names = ['id', 'type', 'a', 'b', '"q"', 'é', '\u2028', '10', '2', 'z'];
    it('then each one is written as sorting it afresh writes it', () =>
      fc.assert(
        fc.property(fc.array(fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof(fc.string(), fc.integer())), { maxLength: 10 }), { minLength: 50, maxLength: 200 }), (objects) => {
          for (const members of objects) {
            const value = Object.fromEntries(members);
            expect(canonicalJson(value)).toBe(sortedAfresh(value));
            expect(canonicalJson({ outer: value, ...value })).toBe(sortedAfresh({ outer: value, ...value }));
          }
        }),
        { numRuns: 30 },
      ));
    it('then more shapes than are remembered are still each sorted right', () => {
      for (let i = 0; i < 3000; i++) {
        const value = { first: i, [`n${i % 1500}`]: 1, [`m${(i * 7) % 1300}`]: 2, last: 'x' };
        expect(canonicalJson(value)).toBe(sortedAfresh(value));
      }
    });
    it('then objects with names too long to remember are each sorted right', () => {
      for (let i = 0; i < 50; i++) {
        const long = 'n'.repeat(60 + i);
        const value = { [long]: i, b: 1, [`${long}"`]: 'x', a: [{ [long]: 1, z: 2 }] };
        expect(canonicalJson(value)).toBe(sortedAfresh(value));
      }
    });
    it('then an object with more names than a shape holds is sorted', () => {
      const value = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${(i * 37) % 100}`, i]));
      expect(canonicalJson(value)).toBe(sortedAfresh(value));
    });
  });

  describe('given members to omit', () => {
    const omit = new Set(['hash', 'data']);
    it('then the text is that of the object without them', () =>
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom('hash', 'data', 'id', 'type', '__proto__'), fc.jsonValue()), (value) => {
          const kept = Object.fromEntries(Object.entries(value).filter(([name]) => !omit.has(name)));
          expect(canonicalJson(value, { omit })).toBe(canonicalJson(kept));
        }),
      ));
    it('then only the top level is affected', () => expect(canonicalJson({ a: { hash: 1 }, hash: 2 }, { omit })).toBe('{"a":{"hash":1}}'));
    it('then an error still names where the value is', () => expect(() => canonicalJson({ a: [NaN], hash: 1 }, { omit })).toThrow('$.a[0]'));
    it('then something other than an object is refused', () => expect(() => canonicalJson([1], { omit })).toThrow(/needs an object/));
  });
});

/** Canonical JSON of plain JSON data, written the simplest way: sort every object's names. */
function sortedAfresh(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedAfresh).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const members = Object.keys(value).sort().map((name) => `${JSON.stringify(name)}:${sortedAfresh((value as Record<string, unknown>)[name])}`);
  return `{${members.join(',')}}`;
}

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([name, child]) => [name, reversedKeys(child)]));
}

describe('dataDigest', () => {
  it('then it is sha256: and the hex SHA-256 of the canonical text', () =>
    expect(dataDigest({ b: [true, null], a: 1 })).toBe('sha256:1cc69c7fa23616ca2ec3ee70d24390a6225c8832db8a4c814c7e0e7f942f8668'));
  it('then it hashes the UTF-8 bytes', () =>
    expect(dataDigest('ö')).toBe('sha256:' + createHash('sha256').update(Buffer.from('"ö"', 'utf8')).digest('hex')));
  it('then key order does not change it', () => expect(dataDigest({ x: 1, y: [2] })).toBe(dataDigest({ y: [2], x: 1 })));
  it('then a changed value changes it', () => expect(dataDigest({ x: 1 })).not.toBe(dataDigest({ x: 2 })));
});
