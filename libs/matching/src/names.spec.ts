import { CANONICALISATION_RULES, canonicaliseToken, normaliseName } from './index';

describe('normaliseName', () => {
  describe('given separators', () => {
    it('then whitespace splits', () => expect(normaliseName('  Lim\tWei \n Jie ')).toEqual(['LIM', 'WEI', 'JIE']));
    it('then commas split', () => expect(normaliseName('AHMAD,FAIZAL')).toEqual(['AHMAD', 'FAIZAL']));
    it('then hyphens split', () => expect(normaliseName('Nor-Azlina Osman')).toEqual(['NUR', 'AZLINA', 'OSMAN']));
    it('then slashes split', () => expect(normaliseName('Kumar/Rajan')).toEqual(['KUMAR', 'RAJAN']));
    it('then dots split', () => expect(normaliseName('J.R. Santos')).toEqual(['J', 'R', 'SANTOS']));
    it('then apostrophes join rather than split', () => expect(normaliseName("D'Souza Maria")).toEqual(['DSUZA', 'MARIA']));
  });

  describe('given diacritics and letters that do not decompose', () => {
    it('then Vietnamese tone marks are stripped', () => expect(normaliseName('Nguyễn Văn An')).toEqual(['NGUYEN', 'VAN', 'AN']));
    it('then the barred D becomes D', () => expect(normaliseName('Đặng Đức')).toEqual(['DANG', 'DUC']));
    it('then lower case becomes upper case', () => expect(normaliseName('siti aminah')).toEqual(['SITI', 'AMINA']));
    it('then full-width Latin letters fold to ASCII', () => expect(normaliseName('ＬＩＭ ＷＥＩ')).toEqual(['LIM', 'WEI']));
    it('then Thai script keeps its vowel marks', () => expect(normaliseName('สมชาย ใจดี')).toEqual(['สมชาย', 'ใจดี']));
  });

  describe('given Malay, Arabic and Indian patronymic particles', () => {
    it('then BIN between names is dropped', () => expect(normaliseName('Mohd Faizal bin Ahmad')).toEqual(['MUHAMAD', 'FAIZAL', 'AHMAD']));
    it('then BINTI between names is dropped', () => expect(normaliseName('Siti Aminah binti Yusof')).toEqual(['SITI', 'AMINA', 'YUSUF']));
    it('then BT is dropped', () => expect(normaliseName('Siti bt Yusof')).toEqual(['SITI', 'YUSUF']));
    it('then BN is dropped', () => expect(normaliseName('Ali bn Osman')).toEqual(['ALI', 'OSMAN']));
    it('then B. is dropped', () => expect(normaliseName('Ali B. Osman')).toEqual(['ALI', 'OSMAN']));
    it('then A/L is dropped whole, not left as initials', () => expect(normaliseName('Muthu A/L Rajan')).toEqual(['MUTHU', 'RAJAN']));
    it('then A/P is dropped whole', () => expect(normaliseName('Kavitha a/p Suresh')).toEqual(['KAVITHA', 'SURESH']));
    it('then A / L with spaces is dropped whole', () => expect(normaliseName('Muthu A / L Rajan')).toEqual(['MUTHU', 'RAJAN']));
    it('then S/O is dropped whole', () => expect(normaliseName('Ravi S/O Kumar')).toEqual(['RAVI', 'KUMAR']));
    it('then D/O is dropped whole', () => expect(normaliseName('Priya D/O Kumar')).toEqual(['PRIYA', 'KUMAR']));
    it('then AL written without a slash is dropped', () => expect(normaliseName('Muthu AL Rajan')).toEqual(['MUTHU', 'RAJAN']));
    it('then BIN ending a Chinese name is kept', () => expect(normaliseName('Wang Bin')).toEqual(['WANG', 'BIN']));
    it('then BIN starting a Chinese name is kept', () => expect(normaliseName('Bin Wang')).toEqual(['BIN', 'WANG']));
    it('then DO as a Vietnamese surname is kept', () => expect(normaliseName('Do Van Hung')).toEqual(['DO', 'VAN', 'HUNG']));
  });

  describe('given honorifics', () => {
    it.each([
      ['Datuk Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ["Dato' Ahmad Faizal", ['AHMAD', 'FAIZAL']],
      ['Tan Sri Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Datuk Seri Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Puan Sri Aminah Yusof', ['AMINA', 'YUSUF']],
      ['Haji Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Hj. Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Mr Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Mrs. Aminah Yusof', ['AMINA', 'YUSUF']],
      ['Ms Aminah Yusof', ['AMINA', 'YUSUF']],
      ['Dr. Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Encik Ahmad Faizal', ['AHMAD', 'FAIZAL']],
      ['Puan Aminah Yusof', ['AMINA', 'YUSUF']],
      ["Tan Sri Dato' Sri Haji Ahmad Faizal", ['AHMAD', 'FAIZAL']],
    ])('given %j then the tokens are %j', (name, tokens) => {
      expect(normaliseName(name)).toEqual(tokens);
    });
    it('then TAN as a surname is kept', () => expect(normaliseName('Tan Ah Kow')).toEqual(['TAN', 'A', 'KOW']));
    it('then SRI as a given name is kept', () => expect(normaliseName('Ms Sri Wahyuni')).toEqual(['SRI', 'WAHYUNI']));
  });

  describe('given nothing that is a name', () => {
    it('then an empty string has no tokens', () => expect(normaliseName('')).toEqual([]));
    it('then punctuation alone has no tokens', () => expect(normaliseName(' ,-/. ')).toEqual([]));
    it('then particles alone have no tokens', () => expect(normaliseName('bin binti')).toEqual([]));
    it('then honorifics alone have no tokens', () => expect(normaliseName('Tan Sri Datuk Haji')).toEqual([]));
    it('then a lone BIN has no tokens', () => expect(normaliseName('bin')).toEqual([]));
  });
});

describe('canonicaliseToken', () => {
  it.each([
    ['MOHAMMAD', 'MUHAMAD'],
    ['MOHAMAD', 'MUHAMAD'],
    ['MUHAMMAD', 'MUHAMAD'],
    ['MUHAMAD', 'MUHAMAD'],
    ['MOHAMED', 'MUHAMAD'],
    ['MOHAMMED', 'MUHAMAD'],
    ['MOHD', 'MUHAMAD'],
    ['MHD', 'MUHAMAD'],
    ['MUHD', 'MUHAMAD'],
    ['ABD', 'ABDUL'],
    ['ABDUL', 'ABDUL'],
    ['NOOR', 'NUR'],
    ['YUSOFF', 'YUSUF'],
    ['SAYYID', 'SHED'],
  ])('given the variant %s then it canonicalises to %s', (token, canonical) => {
    expect(canonicaliseToken(token)).toBe(canonical);
  });

  it.each([
    ['HASSAN', 'HASAN', 'doubled letters collapse'],
    ['JOSEPH', 'JOSEF', 'PH becomes F'],
    ['DZULKIFLI', 'ZULKIFLI', 'DZ becomes Z'],
    ['KHAIRUL', 'KAIRUL', 'KH becomes K'],
    ['THANH', 'TANH', 'initial TH becomes T'],
    ['MUTHU', 'MUTHU', 'TH inside a token stays'],
    ['SYAFIQ', 'SHAFIK', 'SY becomes SH and Q becomes K'],
    ['SHAFIQ', 'SHAFIK', 'Q becomes K'],
    ['SOUK', 'SUK', 'OU becomes U'],
    ['YOOSUF', 'YUSUF', 'OO becomes U'],
    ['NADEEM', 'NADIM', 'EE becomes I'],
    ['LYNN', 'LIN', 'Y between consonants becomes I'],
    ['HENRY', 'HENRI', 'final Y becomes I'],
    ['YATI', 'YATI', 'initial Y before a vowel stays'],
    ['ABDULLAH', 'ABDULA', 'final H after a vowel is dropped'],
    ['ABDULLA', 'ABDULA', 'no final H stays as is'],
    ['FARAH', 'FARA', 'final H after a vowel is dropped'],
    ['SINGH', 'SINGH', 'final H after a consonant stays'],
  ])('given %s then it canonicalises to %s because %s', (token, canonical) => {
    expect(canonicaliseToken(token)).toBe(canonical);
  });

  it('given a token already canonical then canonicalising again changes nothing', () => {
    for (const token of ['MUHAMAD', 'SHAFIK', 'ABDULA', 'HASAN', 'NUR', 'TANH']) expect(canonicaliseToken(token)).toBe(token);
  });

  it('given the rules table then it cannot be modified', () => expect(Object.isFrozen(CANONICALISATION_RULES)).toBe(true));

  it('given the same token twice then the result is the same (the shared patterns keep no state)', () => {
    expect([canonicaliseToken('HASSAN'), canonicaliseToken('HASSAN')]).toEqual(['HASAN', 'HASAN']);
  });
});
