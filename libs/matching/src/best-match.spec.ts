import { bestMatch } from './index';
import type { PersonRecord } from './index';

const BORN = '1992-11-30';

describe('bestMatch', () => {
  const crossing: PersonRecord = {
    name: 'Mohd Faizal bin Ahmad',
    birthDate: BORN,
    nationality: 'MY',
    passports: [{ number: 'A 1234-567', country: 'MY' }],
  };

  describe('given a name match listed before a passport match', () => {
    const found = bestMatch(crossing, [
      { record: { name: 'Ahmad Mohd Faizal', birthDate: BORN }, value: 'name-entry' },
      { record: { name: 'Someone Else', passports: [{ number: 'A1234567', country: 'MY' }] }, value: 'passport-entry' },
    ]);
    it('then the passport match wins', () => expect(found?.value).toBe('passport-entry'));
    it('then its reason is passport', () => expect(found?.match.reason).toBe('passport'));
    it('then its score is 1', () => expect(found?.match.score).toBe(1));
  });

  describe('given name matches of different quality', () => {
    const found = bestMatch(crossing, [
      { record: { name: 'Muhamad Faizal Ahmad', birthDate: BORN }, value: 'transliterated' },
      { record: { name: 'Faizal Ahmad Mohd', birthDate: BORN }, value: 'exact' },
      { record: { name: 'Mohd Faizal Ahmat', birthDate: BORN }, value: 'typo' },
    ]);
    it('then the highest score wins', () => expect(found?.value).toBe('exact'));
    it('then the score is the exact one', () => expect(found?.match.score).toBe(0.95));
  });

  describe('given two candidates with the same score', () => {
    const found = bestMatch(crossing, [
      { record: { name: 'Ahmad Mohd Faizal', birthDate: BORN }, value: 1 },
      { record: { name: 'Faizal Ahmad Mohd', birthDate: BORN }, value: 2 },
    ]);
    it('then the first one wins', () => expect(found?.value).toBe(1));
  });

  describe('given two passport matches', () => {
    const found = bestMatch(crossing, [
      { record: { name: 'x', passports: [{ number: 'a1234567' }] }, value: 'first' },
      { record: { name: 'y', passports: [{ number: 'A1234567', country: 'MY' }] }, value: 'second' },
    ]);
    it('then the first one wins', () => expect(found?.value).toBe('first'));
  });

  describe('given candidates of which none match', () => {
    const found = bestMatch(crossing, [
      { record: { name: 'Mohd Faizal bin Ahmad', birthDate: '1992-11-29' }, value: 'other birth date' },
      { record: { name: 'Mohd Faizal bin Ahmad', birthDate: BORN, nationality: 'ID' }, value: 'other nationality' },
      { record: { name: 'Faizal', birthDate: BORN }, value: 'single token' },
    ]);
    it('then there is no best match', () => expect(found).toBeUndefined());
  });

  describe('given no candidates', () => {
    it('then there is no best match', () => expect(bestMatch(crossing, [])).toBeUndefined());
  });

  describe('given the value type', () => {
    const found = bestMatch(crossing, [{ record: { name: 'Ahmad Faizal Mohd', birthDate: BORN }, value: { watchlistId: 'w-7' } }]);
    it('then the candidate value is returned as given', () => expect(found?.value).toEqual({ watchlistId: 'w-7' }));
  });

  describe('given a rescued-persons list against an open victim report', () => {
    const report: PersonRecord = { name: 'Nguyễn Thị Hoa', birthDate: '2001-02-14', nationality: 'VN' };
    const rescued = [
      { record: { name: 'NGUYEN THI HUA', birthDate: '2001-02-14', nationality: 'VN' }, value: 'rescued-1' },
      { record: { name: 'NGUYEN THI HOA', birthDate: '2001-02-14', nationality: 'VN' }, value: 'rescued-2' },
    ];
    const found = bestMatch(report, rescued);
    it('then the exact spelling is preferred over the near one', () => expect(found?.value).toBe('rescued-2'));
  });
});
