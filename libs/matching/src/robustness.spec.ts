import { bestMatch, matchPersons, normaliseName, normalisePassport } from './index';
import type { PersonRecord } from './index';

const BORN = '1980-01-01';

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = process.hrtime.bigint();
  const result = run();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

describe('weird input', () => {
  describe('given empty names', () => {
    it('then two empty names do not match', () => expect(matchPersons({ name: '', birthDate: BORN }, { name: '', birthDate: BORN })).toBeUndefined());
    it('then an empty name does not match a real one', () => expect(matchPersons({ name: '', birthDate: BORN }, { name: 'Lim Wei Jie', birthDate: BORN })).toBeUndefined());
    it('then empty aliases do not match', () => expect(matchPersons({ name: '', aliases: ['', ' '], birthDate: BORN }, { name: ' ', aliases: [''], birthDate: BORN })).toBeUndefined());
  });

  describe('given names made only of particles and honorifics', () => {
    it('then they do not match each other', () => expect(matchPersons({ name: 'bin binti a/l', birthDate: BORN }, { name: 'Bin Binti A/L', birthDate: BORN })).toBeUndefined());
    it('then honorifics alone do not match', () => expect(matchPersons({ name: 'Tan Sri Dato Haji', birthDate: BORN }, { name: 'Tan Sri Dato Haji', birthDate: BORN })).toBeUndefined());
  });

  describe('given empty passports', () => {
    it('then an empty list is fine', () => expect(matchPersons({ name: 'x', passports: [] }, { name: 'y', passports: [] })).toBeUndefined());
    it('then blank numbers never match each other', () => expect(matchPersons({ name: 'x', passports: [{ number: '' }] }, { name: 'y', passports: [{ number: '' }] })).toBeUndefined());
  });

  describe('given values that break the declared types (records parsed from JSON)', () => {
    const broken = { name: undefined, aliases: 'not a list', birthDate: 19800101, passports: [null, { number: 42 }] } as unknown as PersonRecord;
    it('then matchPersons does not throw', () => expect(() => matchPersons(broken, broken)).not.toThrow());
    it('then matchPersons finds nothing', () => expect(matchPersons(broken, broken)).toBeUndefined());
    it('then normaliseName does not throw', () => expect(normaliseName(undefined as unknown as string)).toEqual([]));
    it('then normalisePassport does not throw', () => expect(normalisePassport(null as unknown as string)).toBe(''));
  });

  describe('given emoji and symbols in a name', () => {
    it('then they are ignored', () => expect(normaliseName('Lim 🙂 Wei ★ Jie')).toEqual(['LIM', 'WEI', 'JIE']));
  });

  describe('given strings of 10,000 characters', () => {
    const longWords = 'ABCDEFGHI '.repeat(1_000);
    const longToken = 'A'.repeat(10_000);
    const slashes = 'A/L '.repeat(2_500);
    const spaces = `Lim${' '.repeat(10_000)}Wei Jie`;
    const records: PersonRecord[] = [longWords, longToken, slashes, spaces].map((name) => ({
      name,
      aliases: [name],
      birthDate: BORN,
      passports: [{ number: name }],
    }));

    it.each([
      ['many words', 0],
      ['one token', 1],
      ['repeated particles', 2],
      ['long whitespace', 3],
    ])('given %s then matching against itself takes under 200 ms', (_label, i) => {
      const { ms } = timed(() => matchPersons({ ...records[i], passports: [] }, { ...records[i], passports: [] }));
      expect(ms).toBeLessThan(200);
    });

    it.each([
      ['many words', 0],
      ['one token', 1],
      ['repeated particles', 2],
      ['long whitespace', 3],
    ])('given %s then normalising takes under 200 ms', (_label, i) => {
      const { ms } = timed(() => normaliseName(records[i].name));
      expect(ms).toBeLessThan(200);
    });

    it('then a long passport number still matches itself', () => expect(matchPersons(records[0], records[0])?.reason).toBe('passport'));
    it('then a long junk name is not treated as a name', () => expect(matchPersons({ ...records[0], passports: [] }, { ...records[0], passports: [] })).toBeUndefined());
    it('then a short name padded to 10,000 characters is still a name', () => expect(matchPersons({ name: `Lim Wei${' '.repeat(10_000)}`, birthDate: BORN }, { name: 'Lim Wei', birthDate: BORN })?.score).toBe(0.95));
    it('then a name with 10,000 characters inside is not compared', () => expect(matchPersons({ name: spaces, birthDate: BORN }, { name: 'Lim Wei Jie', birthDate: BORN })).toBeUndefined());
    it('then a long name against a normal one finds nothing', () => expect(matchPersons(records[1], { name: 'Lim Wei Jie', birthDate: BORN })).toBeUndefined());
  });

  describe('given a watchlist of 10,000 entries that all share the birth date (the worst case: every name is compared)', () => {
    const watchlist = Array.from({ length: 10_000 }, (_, i) => ({
      record: { name: `Person ${i} Name`, birthDate: BORN, passports: [{ number: `X${i}`, country: 'MY' }] },
      value: i,
    }));
    const probe: PersonRecord = { name: 'Person 9999 Name', birthDate: BORN, passports: [{ number: 'Y1' }] };
    const { result, ms } = timed(() => bestMatch(probe, watchlist));
    it('then the matching entry is found', () => expect(result?.value).toBe(9999));
    it('then one crossing is checked in under two seconds even on a slow CI machine', () => expect(ms).toBeLessThan(2000));
  });
});
