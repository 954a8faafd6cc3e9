import { matchPersons, normalisePassport } from './index';
import type { PersonRecord } from './index';

describe('normalisePassport', () => {
  it.each([
    ['a 1234-567', 'A1234567'],
    ['A1234567', 'A1234567'],
    ['  k 12.34.56  ', 'K123456'],
    ['ep-1 234 567', 'EP1234567'],
    ['a\t1234\u2013567', 'A1234567'],
    ['ａ１２３４５６７', 'A1234567'],
    ['', ''],
    [' - . ', ''],
  ])('given %j then it normalises to %j', (written, normalised) => {
    expect(normalisePassport(written)).toBe(normalised);
  });
});

describe('matchPersons by passport', () => {
  const crossing: PersonRecord = { name: 'Somchai Prasert', passports: [{ number: 'AA 1234-567', country: 'TH' }] };

  describe('given the same passport number written differently and the same country', () => {
    const watch: PersonRecord = { name: 'Unknown Person', passports: [{ number: 'aa1234567', country: 'th' }] };
    const match = matchPersons(crossing, watch);
    it('then the reason is passport', () => expect(match?.reason).toBe('passport'));
    it('then the score is 1', () => expect(match?.score).toBe(1));
    it('then the explanation names the normalised number', () => expect(match?.explanation).toContain('Passport AA1234567'));
    it('then the explanation names the issuing country', () => expect(match?.explanation).toContain('issued by TH'));
    it('then the explanation shows both ways it was written', () => expect(match?.explanation).toContain('written "AA 1234-567" and "aa1234567"'));
  });

  describe('given the same passport number and the same country written the same way', () => {
    const match = matchPersons(crossing, { name: 'x', passports: [{ number: 'AA 1234-567', country: 'TH' }] });
    it('then the explanation does not repeat how it was written', () => expect(match?.explanation).toBe('Passport AA1234567 issued by TH is on both records.'));
  });

  describe('given the same passport number but different countries and different names', () => {
    const match = matchPersons(crossing, { name: 'Tran Thi Mai', passports: [{ number: 'AA1234567', country: 'VN' }] });
    it('then there is no match', () => expect(match).toBeUndefined());
  });

  describe('given the same passport number with a country on one side only', () => {
    const match = matchPersons(crossing, { name: 'x', passports: [{ number: 'AA1234567' }] });
    it('then it is a passport match', () => expect(match?.reason).toBe('passport'));
    it('then the explanation uses the country that was given', () => expect(match?.explanation).toContain('issued by TH'));
  });

  describe('given the same passport number with no country on either side', () => {
    const match = matchPersons({ name: 'x', passports: [{ number: 'B 765' }] }, { name: 'y', passports: [{ number: 'b765' }] });
    it('then it is a passport match', () => expect(match?.reason).toBe('passport'));
    it('then the explanation names no country', () => expect(match?.explanation).not.toContain('issued by'));
  });

  describe('given the matching passport is the second of several on each side', () => {
    const a: PersonRecord = { name: 'x', passports: [{ number: 'X1', country: 'MY' }, { number: 'K 555', country: 'KH' }] };
    const b: PersonRecord = { name: 'y', passports: [{ number: 'Z9' }, { number: 'k555', country: 'KH' }] };
    it('then it is found', () => expect(matchPersons(a, b)?.explanation).toContain('Passport K555 issued by KH'));
  });

  describe('given passport numbers that differ', () => {
    it('then there is no match', () => expect(matchPersons(crossing, { name: 'x', passports: [{ number: 'AA1234568', country: 'TH' }] })).toBeUndefined());
  });

  describe('given passport numbers that are blank after normalisation on both sides', () => {
    it('then blanks are not a match', () => expect(matchPersons({ name: 'x', passports: [{ number: ' - ' }] }, { name: 'y', passports: [{ number: '' }] })).toBeUndefined());
  });

  describe('given a passport match and different nationalities', () => {
    const a: PersonRecord = { name: 'x', nationality: 'MY', passports: [{ number: 'A1', country: 'MY' }] };
    const b: PersonRecord = { name: 'y', nationality: 'TH', passports: [{ number: 'A1', country: 'MY' }] };
    it('then the passport still matches (dual nationals travel on either passport)', () => expect(matchPersons(a, b)?.reason).toBe('passport'));
  });

  describe('given the same passport number with different countries but the same name and birth date', () => {
    const a: PersonRecord = { name: 'Lim Wei Jie', birthDate: '1990-05-01', passports: [{ number: 'A1', country: 'MY' }] };
    const b: PersonRecord = { name: 'Lim Wei Jie', birthDate: '1990-05-01', passports: [{ number: 'A1', country: 'SG' }] };
    it('then it falls back to the name match', () => expect(matchPersons(a, b)?.reason).toBe('name-and-birth-date'));
  });
});
