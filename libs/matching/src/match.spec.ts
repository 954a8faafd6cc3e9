import { matchPersons } from './index';
import type { Match, PersonRecord } from './index';

const BORN = '1988-04-02';

function person(name: string, extra: Partial<PersonRecord> = {}): PersonRecord {
  return { name, birthDate: BORN, ...extra };
}

function names(a: string, b: string): Match | undefined {
  return matchPersons(person(a), person(b));
}

describe('matchPersons by name and birth date', () => {
  describe('given the same tokens in a different order, with BIN and an abbreviation', () => {
    const match = names('AHMAD MOHD FAIZAL', 'Mohd Faizal bin Ahmad');
    it('then the reason is name-and-birth-date', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then the score is 0.95', () => expect(match?.score).toBe(0.95));
    it('then the explanation quotes the first name', () => expect(match?.explanation).toContain('name "AHMAD MOHD FAIZAL" on the first record'));
    it('then the explanation quotes the second name', () => expect(match?.explanation).toContain('name "Mohd Faizal bin Ahmad" on the second record'));
    it('then the explanation says each token matched exactly', () => expect(match?.explanation).toContain('AHMAD exactly, MOHD exactly, FAIZAL exactly'));
    it('then the explanation says birth dates agree', () => expect(match?.explanation).toContain(`birth dates agree (${BORN})`));
  });

  describe('given the surname first with a comma', () => {
    it('then it matches exactly', () => expect(names('AHMAD, MOHAMMAD FAIZAL', 'Mohammad Faizal Ahmad')?.score).toBe(0.95));
  });

  describe('given transliteration variants of two tokens', () => {
    const match = names('Mohammad Hassan', 'Muhamad Hasan');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then each transliterated token costs 0.05', () => expect(match?.score).toBe(0.85));
    it('then the explanation names the first transliteration', () => expect(match?.explanation).toContain('MOHAMMAD/MUHAMAD by transliteration'));
    it('then the explanation names the second transliteration', () => expect(match?.explanation).toContain('HASSAN/HASAN by transliteration'));
  });

  describe('given transliteration variants from the rules table', () => {
    it.each([
      ['Syafiq Abdullah', 'Shafiq Abdullah'],
      ['Ahmad Abdullah', 'Ahmad Abdulla'],
      ['Khairul Anuar', 'Kairul Anuar'],
      ['Dzulkifli Ahmad', 'Zulkifli Ahmad'],
      ['Thanh Nguyen', 'Tanh Nguyen'],
      ['Noor Aziz', 'Nur Aziz'],
      ['Abd Rahman', 'Abdul Rahman'],
      ['Yusof Ismail', 'Yusuf Ismail'],
      ['Joseph Santos', 'Josef Santos'],
    ])('given %j and %j then they match with a score of 0.9', (a, b) => {
      expect(names(a, b)?.score).toBe(0.9);
    });
  });

  describe('given a name written with diacritics and one without', () => {
    const match = names('Nguyễn Văn An', 'Nguyen Van An');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then diacritics do not cost a step', () => expect(match?.score).toBe(0.95));
  });

  describe('given a transposition in a three-letter token', () => {
    const match = names('Lim Wei Jie', 'Lim Wei Jei');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then the typo costs 0.05', () => expect(match?.score).toBe(0.9));
    it('then the explanation names the typo and its kind', () => expect(match?.explanation).toContain('JIE/JEI with one typo (two letters swapped)'));
    it('then the explanation names the exact tokens', () => expect(match?.explanation).toContain('LIM exactly, WEI exactly'));
  });

  describe('given a substitution in a three-letter token', () => {
    it('then it does not match (LIM and LAM are different surnames)', () => expect(names('Lim Wei Jie', 'Lam Wei Jie')).toBeUndefined());
  });

  describe('given a missing final H', () => {
    const match = names('Nurul Aisyah', 'Nurul Aisya');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then it costs one step', () => expect(match?.score).toBe(0.9));
    it('then the final-H rule makes it a transliteration', () => expect(match?.explanation).toContain('AISYAH/AISYA by transliteration'));
  });

  describe('given one typo in a longer token', () => {
    const match = names('Siti Nurhaliza', 'Siti Nurhalisa');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then the score is 0.9', () => expect(match?.score).toBe(0.9));
    it('then the explanation names the typo', () => expect(match?.explanation).toContain('NURHALIZA/NURHALISA with one typo (one letter different)'));
  });

  describe('given each kind of single typo', () => {
    it.each([
      ['Nguyen Van Thanh', 'Ngyuen Van Thanh', 'two letters swapped'],
      ['Farid Kamarudin', 'Farid Kamarudn', 'one extra letter on the first record'],
      ['Farid Kamarudn', 'Farid Kamarudin', 'one letter missing on the first record'],
      ['Farid Kamarudin', 'Farid Kamarudim', 'one letter different'],
    ])('given %j and %j then the typo is described as %j', (a, b, wording) => {
      expect(names(a, b)?.explanation).toContain(wording);
    });
  });

  describe('given a typo on the side with fewer tokens', () => {
    it('then the typo is still described from the first record', () => {
      expect(names('Farid Kamarudin bin Osman', 'Farid Kamarudn')?.explanation).toContain('KAMARUDIN/KAMARUDN with one typo (one extra letter on the first record)');
    });
  });

  describe('given a typo on top of a transliteration in the same token', () => {
    const match = names('Mohammad Hassan', 'Mohammad Hasam');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then it costs two steps', () => expect(match?.score).toBe(0.85));
    it('then the explanation says both', () => expect(match?.explanation).toContain('HASSAN/HASAM by transliteration and one typo'));
  });

  describe('given two typos in different tokens', () => {
    it('then there is no match', () => expect(names('Farid Kamarudin', 'Farud Kamarudim')).toBeUndefined());
  });

  describe('given two typos in the same token', () => {
    it('then there is no match', () => expect(names('Faizal Rahman', 'Fauzil Rahman')).toBeUndefined());
  });

  describe('given a one-letter typo in a token shorter than four letters', () => {
    it('then there is no match', () => expect(names('Ali Hamzah', 'Alo Hamzah')).toBeUndefined());
  });

  describe('given one extra token on one side', () => {
    const match = names('Siti Aminah Yusof', 'Siti Yusof');
    it('then it matches', () => expect(match?.score).toBe(0.95));
    it('then the explanation names the extra token', () => expect(match?.explanation).toContain('AMINAH only on the first record'));
  });

  describe('given one extra token on the second record', () => {
    it('then the explanation names it', () => expect(names('Siti Yusof', 'Siti Aminah Yusof')?.explanation).toContain('AMINAH only on the second record'));
  });

  describe('given two extra tokens on one side', () => {
    it('then there is no match', () => expect(names('Siti Aminah Zahra Yusof', 'Siti Yusof')).toBeUndefined());
  });

  describe('given equal token counts where one token differs completely', () => {
    it('then there is no match', () => expect(names('Siti Aminah Yusof', 'Siti Zahra Yusof')).toBeUndefined());
  });

  describe('given the same token twice on one side only', () => {
    it('then each token pairs with a distinct token', () => expect(names('Ahmad Ahmad', 'Ahmad Faizal')).toBeUndefined());
  });

  describe('given single-token names', () => {
    it('then identical single names do not match', () => expect(names('Faizal', 'Faizal')).toBeUndefined());
    it('then a single name does not match a two-token name containing it', () => expect(names('Faizal', 'Faizal Ahmad')).toBeUndefined());
    it('then a name left with one token after particles does not match', () => expect(names('Haji Faizal', 'Encik Faizal')).toBeUndefined());
  });

  describe('given a Chinese name ending in BIN', () => {
    it('then it matches itself', () => expect(names('WANG BIN', 'Wang Bin')?.score).toBe(0.95));
  });

  describe('given an Indian name with A/L and the father first', () => {
    it('then it matches', () => expect(names('Muthu Kumar A/L Rajan', 'RAJAN, MUTHU KUMAR')?.score).toBe(0.95));
  });

  describe('given the same name and different birth dates', () => {
    it('then there is no match', () => expect(matchPersons(person('Lim Wei Jie'), person('Lim Wei Jie', { birthDate: '1988-04-03' }))).toBeUndefined());
  });

  describe('given the same name and a birth date missing on one side', () => {
    it('then there is no match', () => expect(matchPersons(person('Lim Wei Jie'), { name: 'Lim Wei Jie' })).toBeUndefined());
  });

  describe('given the same name and birth dates missing on both sides', () => {
    it('then there is no match', () => expect(matchPersons({ name: 'Lim Wei Jie' }, { name: 'Lim Wei Jie' })).toBeUndefined());
  });

  describe('given the same name and birth dates that are not full ISO dates', () => {
    it('then a year alone is not a known birth date', () => expect(matchPersons(person('Lim Wei Jie', { birthDate: '1988' }), person('Lim Wei Jie', { birthDate: '1988' }))).toBeUndefined());
    it('then an empty birth date is not a known birth date', () => expect(matchPersons(person('Lim Wei Jie', { birthDate: '' }), person('Lim Wei Jie', { birthDate: '' }))).toBeUndefined());
  });

  describe('given nationalities', () => {
    it('then different nationalities prevent a name match', () => expect(matchPersons(person('Lim Wei Jie', { nationality: 'MY' }), person('Lim Wei Jie', { nationality: 'SG' }))).toBeUndefined());
    it('then a nationality on one side only does not prevent a match', () => expect(matchPersons(person('Lim Wei Jie', { nationality: 'MY' }), person('Lim Wei Jie'))?.score).toBe(0.95));
    it('then nationalities are compared case-insensitively', () => expect(matchPersons(person('Lim Wei Jie', { nationality: 'my' }), person('Lim Wei Jie', { nationality: 'MY' }))?.score).toBe(0.95));
    it('then an agreeing nationality is named in the explanation', () => expect(matchPersons(person('Lim Wei Jie', { nationality: 'MY' }), person('Lim Wei Jie', { nationality: 'MY' }))?.explanation).toContain('both are MY nationals'));
  });

  describe('given an alias on the first record that matches the second name', () => {
    const match = matchPersons(person('John Tan', { aliases: ['Tan Ah Kow', 'Ah Kow Tan'] }), person('Tan Ah Kow'));
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then the explanation names the alias', () => expect(match?.explanation).toContain('alias "Tan Ah Kow" on the first record'));
    it('then the first alias that matches equally well is used', () => expect(match?.explanation).not.toContain('Ah Kow Tan'));
  });

  describe('given an alias on the second record that matches the first name', () => {
    const match = matchPersons(person('Somchai Prasert'), person('Boonmee Chai', { aliases: ['Prasert Somchai'] }));
    it('then the explanation names the alias', () => expect(match?.explanation).toContain('alias "Prasert Somchai" on the second record'));
    it('then the explanation names the name it matched', () => expect(match?.explanation).toContain('name "Somchai Prasert" on the first record'));
  });

  describe('given a name that matches with a typo and an alias that matches exactly', () => {
    const match = matchPersons(person('Siti Nurhalisa', { aliases: ['Siti Nurhaliza'] }), person('Siti Nurhaliza'));
    it('then the best of the two is used', () => expect(match?.score).toBe(0.95));
    it('then the explanation names the alias', () => expect(match?.explanation).toContain('alias "Siti Nurhaliza"'));
  });

  describe('given aliases that are single tokens', () => {
    it('then they never match', () => expect(matchPersons(person('A B C D', { aliases: ['Kow'] }), person('E F G H', { aliases: ['Kow'] }))).toBeUndefined());
  });

  describe('given the records the other way round', () => {
    it.each([
      ['Mohammad Hassan', 'Muhamad Hasan'],
      ['Lim Wei Jie', 'Lim Wei Jei'],
      ['Siti Aminah Yusof', 'Siti Yusof'],
      ['Farid Kamarudin bin Osman', 'Farid Kamarudn'],
    ])('given %j and %j then the score is the same both ways', (a, b) => {
      expect(names(b, a)?.score).toBe(names(a, b)?.score);
    });
  });

  describe('given the same inputs twice', () => {
    it('then the result is identical', () => expect(names('Mohammad Hassan', 'Muhamad Hasan')).toEqual(names('Mohammad Hassan', 'Muhamad Hasan')));
  });

  describe('given the score ordering', () => {
    const exact = names('Ahmad Faizal', 'Ahmad Faizal')!.score;
    const oneTransliteration = names('Hassan Faizal', 'Hasan Faizal')!.score;
    const oneTypo = names('Kamarudin Faizal', 'Kamarudim Faizal')!.score;
    const transliterationAndTypo = names('Hassan Kamarudin', 'Hasan Kamarudim')!.score;
    it('then an exact name scores 0.95', () => expect(exact).toBe(0.95));
    it('then an exact name scores above a transliteration', () => expect(exact).toBeGreaterThan(oneTransliteration));
    it('then one transliteration scores the same as one typo (0.05 per step either way)', () => expect(oneTransliteration).toBe(oneTypo));
    it('then one transliteration scores above a transliteration plus a typo', () => expect(oneTransliteration).toBeGreaterThan(transliterationAndTypo));
    it('then one typo scores above a transliteration plus a typo', () => expect(oneTypo).toBeGreaterThan(transliterationAndTypo));
  });

  describe('given many transliterated tokens', () => {
    const match = names('Mohammad Abd Hassan Syafiq Khairul Noor', 'Muhamad Abdul Hasan Shafiq Kairul Nur');
    it('then it matches', () => expect(match?.reason).toBe('name-and-birth-date'));
    it('then the score never goes below 0.7', () => expect(match?.score).toBe(0.7));
  });
});
