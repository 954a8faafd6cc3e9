import { BadRequestException } from '@nestjs/common';
import { parseLastEventId } from './feed.dto';

describe('Last-Event-ID', () => {
  it('is the feed number of the last event received', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId('1234')).toBe(1234);
    expect(parseLastEventId(' 17 ')).toBe(17);
  });

  it('refuses anything else with a reason', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '01', '1e3', '9'.repeat(16), '12,13', ['1', '2']]) {
      expect(() => parseLastEventId(bad)).toThrow(BadRequestException);
    }
    try {
      parseLastEventId('yesterday');
    } catch (error) {
      expect((error as BadRequestException).getResponse()).toMatchObject({ message: [expect.stringContaining('got "yesterday"')] });
    }
  });
});
