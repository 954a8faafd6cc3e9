import { reconcile, toMatchInfo } from './reconcile';

const faizal = { caseId: 'case-faizal', person: { name: 'Mohd Faizal bin Ahmad', birthDate: '1992-11-30', nationality: 'MY' } };
const siti = { caseId: 'case-siti', person: { name: 'Siti Aisyah binti Rahman', birthDate: '1999-04-02', nationality: 'MY', passports: [{ number: 'A12345678', country: 'MY' }] } };
const hoa = { caseId: 'case-hoa', person: { name: 'Nguyễn Thị Hoa', birthDate: '2001-02-14', nationality: 'VN' } };

const rescued = (personId: string, name: string, birthDate?: string, passports?: { number: string; country: string }[], nationality = 'MY') => ({
  personId,
  name,
  nationality,
  ...(birthDate ? { birthDate } : {}),
  ...(passports ? { passports } : {}),
});

describe('reconcile', () => {
  describe('given a rescued person whose name is in another order and spelling, born the same day', () => {
    const result = reconcile([rescued('p1', 'AHMAD MUHAMMAD FAIZAL', '1992-11-30')], [siti, faizal]);
    it('then the person is matched with the case', () => expect(result.matched.map((m) => [m.person.personId, m.caseId])).toEqual([['p1', 'case-faizal']]));
    it('then the match is by name and birth date', () => expect(result.matched[0].match.reason).toBe('name-and-birth-date'));
    it('then the match explains the transliteration', () => expect(result.matched[0].match.explanation).toMatch(/MOHD\/MUHAMMAD by transliteration/));
    it('then nobody is left unmatched', () => expect(result.unmatched).toEqual([]));
  });

  describe('given a rescued person with the reported passport written differently, and another name', () => {
    const result = reconcile([rescued('p1', 'Aisyah Rahman', undefined, [{ number: 'a 1234-5678', country: 'MY' }])], [faizal, siti]);
    it('then the passport matches the case', () => expect(result.matched.map((m) => m.caseId)).toEqual(['case-siti']));
    it('then the match is by passport with score 1', () => expect(result.matched[0].match).toMatchObject({ reason: 'passport', score: 1 }));
  });

  describe('given a rescued person with one typo in a name', () => {
    const result = reconcile([rescued('p1', 'Siti Aisyah binti Rahmam', '1999-04-02')], [siti]);
    it('then the person is matched', () => expect(result.matched.map((m) => m.caseId)).toEqual(['case-siti']));
  });

  describe('given a rescued person with the same name but another birth date', () => {
    const result = reconcile([rescued('p1', 'Mohd Faizal bin Ahmad', '1992-11-29')], [faizal]);
    it('then the person is not matched', () => expect(result.matched).toEqual([]));
    it('then the person is unmatched', () => expect(result.unmatched.map((p) => p.personId)).toEqual(['p1']));
  });

  describe('given a rescued person with neither birth date nor passport', () => {
    const result = reconcile([rescued('p1', 'Mohd Faizal bin Ahmad')], [faizal]);
    it('then the person cannot be matched', () => expect(result.unmatched.map((p) => p.personId)).toEqual(['p1']));
  });

  describe('given two rescued persons who both match one case', () => {
    const result = reconcile([rescued('near', 'Mohd Faizal bin Ahmat', '1992-11-30'), rescued('exact', 'Faizal Ahmad Mohd', '1992-11-30')], [faizal]);
    it('then the better match takes the case', () => expect(result.matched.map((m) => [m.person.personId, m.caseId])).toEqual([['exact', 'case-faizal']]));
    it('then the other stays unmatched', () => expect(result.unmatched.map((p) => p.personId)).toEqual(['near']));
  });

  describe('given one rescued person who matches two cases', () => {
    const duplicate = { caseId: 'case-faizal-again', person: { name: 'Muhamad Faizal Ahmad', birthDate: '1992-11-30', nationality: 'MY' } };
    const result = reconcile([rescued('p1', 'Mohd Faizal bin Ahmad', '1992-11-30')], [duplicate, faizal]);
    it('then the person is matched with the better case only', () => expect(result.matched.map((m) => m.caseId)).toEqual(['case-faizal']));
  });

  describe('given two rescued persons and two cases matched equally well', () => {
    const twin = { caseId: 'case-faizal-2', person: faizal.person };
    const result = reconcile([rescued('p1', 'Faizal Ahmad Mohd', '1992-11-30'), rescued('p2', 'Ahmad Faizal Mohd', '1992-11-30')], [faizal, twin]);
    it('then each person gets a case of their own, in order', () =>
      expect(result.matched.map((m) => [m.person.personId, m.caseId])).toEqual([
        ['p1', 'case-faizal'],
        ['p2', 'case-faizal-2'],
      ]));
  });

  describe('given a rescue of several persons', () => {
    const result = reconcile(
      [rescued('p1', 'Someone Unknown', '1980-01-01'), rescued('p2', 'Siti Aisyah Rahman', '1999-04-02'), rescued('p3', 'Nguyen Thi Hoa', '2001-02-14', undefined, 'VN'), rescued('p4', 'Nguyen Thi Hoa', '2001-02-14')],
      [faizal, siti, hoa],
    );
    it('then the matched keep the order of the persons', () => expect(result.matched.map((m) => m.person.personId)).toEqual(['p2', 'p3']));
    it('then the unmatched are listed, including a namesake of another nationality', () => expect(result.unmatched.map((p) => p.personId)).toEqual(['p1', 'p4']));
  });

  describe('given no open cases', () => {
    const result = reconcile([rescued('p1', 'Mohd Faizal bin Ahmad', '1992-11-30')], []);
    it('then every person is unmatched', () => expect(result.unmatched.map((p) => p.personId)).toEqual(['p1']));
  });

  describe('given an explanation longer than the contract allows', () => {
    const info = toMatchInfo({ reason: 'name-and-birth-date', score: 0.9, explanation: 'x'.repeat(1500) });
    it('then it is cut to the 1000 characters allowed', () => expect(info.explanation).toHaveLength(1000));
    it('then the cut shows', () => expect(info.explanation.endsWith('…')).toBe(true));
  });
});
