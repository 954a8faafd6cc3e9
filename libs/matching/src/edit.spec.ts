import { singleEdit } from './edit';

describe('singleEdit', () => {
  describe('given two equal strings', () => {
    it('then there is no single edit between them', () => expect(singleEdit('FAIZAL', 'FAIZAL')).toBeUndefined());
  });

  describe('given strings one edit apart', () => {
    it('then a changed letter is a substitution', () => expect(singleEdit('NURHALIZA', 'NURHALISA')).toBe('substitution'));
    it('then two swapped neighbours are a transposition', () => expect(singleEdit('JIE', 'JEI')).toBe('transposition'));
    it('then a swap at the very end is a transposition', () => expect(singleEdit('AHMDA', 'AHMAD')).toBe('transposition'));
    it('then a letter added to the second is an insertion', () => expect(singleEdit('AISYA', 'AISYAH')).toBe('insertion'));
    it('then a letter missing from the second is a deletion', () => expect(singleEdit('AISYAH', 'AISYA')).toBe('deletion'));
    it('then a letter added at the front is an insertion', () => expect(singleEdit('RIF', 'ARIF')).toBe('insertion'));
    it('then a letter added in the middle is an insertion', () => expect(singleEdit('KMAL', 'KAMAL')).toBe('insertion'));
    it('then one empty string and one letter are an insertion', () => expect(singleEdit('', 'A')).toBe('insertion'));
  });

  describe('given strings two or more edits apart', () => {
    it('then two substitutions are not one edit', () => expect(singleEdit('FARID', 'FAROT')).toBeUndefined());
    it('then a swap plus a substitution is not one edit', () => expect(singleEdit('JIEX', 'JEIY')).toBeUndefined());
    it('then a length difference of two is not one edit', () => expect(singleEdit('ALI', 'ALIAH')).toBeUndefined());
    it('then a rotation of three letters is not one edit', () => expect(singleEdit('ABC', 'BCA')).toBeUndefined());
    it('then an insertion plus a substitution is not one edit', () => expect(singleEdit('KAMAL', 'KEMALL')).toBeUndefined());
  });
});
