import { BadRequestException } from '@nestjs/common';
import { statedPurpose } from './access-log.interceptor';

/** A header as Node hands it over: its bytes read as Latin-1. */
const header = (text: string) => ({ headers: { 'x-purpose': Buffer.from(text, 'utf8').toString('latin1') } });

describe('the purpose a reader of personal data states', () => {
  it('reads a purpose sent as UTF-8 as the reader wrote it, trimmed', () => {
    expect(statedPurpose(header('  révision du dossier 2023/117 – Ng Wei Liang  '), 'x')).toBe('révision du dossier 2023/117 – Ng Wei Liang');
    expect(statedPurpose(header('ทบทวนคดี'), 'x')).toBe('ทบทวนคดี');
  });

  it('keeps a Latin-1 purpose whose bytes are not UTF-8 as it came', () => {
    expect(statedPurpose({ headers: { 'x-purpose': 'revisi\u00f3n' } }, 'x')).toBe('revisi\u00f3n');
  });

  it('refuses a missing, short or overlong purpose with an example of a good one', () => {
    for (const request of [{ headers: {} }, header(' ab '), header('x'.repeat(501))]) {
      expect(() => statedPurpose(request, 'case 2023/117')).toThrow(BadRequestException);
    }
    try {
      statedPurpose({ headers: {} }, 'case 2023/117');
    } catch (error) {
      expect((error as BadRequestException).getResponse()).toMatchObject({
        message: ['header X-Purpose must say why you read this personal data (3 to 500 characters), e.g. "case 2023/117"'],
      });
    }
  });
});
