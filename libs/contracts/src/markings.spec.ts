import { recipientsOf } from './markings';
import { parseTopic, topicFor } from './agencies';

describe('recipientsOf', () => {
  it('never releases RED', () => {
    expect(recipientsOf('police', { classification: 'RED', releasableTo: ['immigration'] })).toEqual([]);
  });

  it('releases to the named agencies, never back to the owner, each once', () => {
    expect(recipientsOf('police', { classification: 'AMBER', releasableTo: ['police', 'immigration', 'immigration', 'audit'] })).toEqual([
      'audit',
      'immigration',
    ]);
  });
});

describe('topics', () => {
  it('are intel.<from>.<to>', () => {
    expect(topicFor('kh-police', 'immigration')).toBe('intel.kh-police.immigration');
    expect(parseTopic('intel.kh-police.immigration')).toEqual({ from: 'kh-police', to: 'immigration' });
    expect(parseTopic('dlq.police')).toBeUndefined();
    expect(() => topicFor('Police!', 'immigration')).toThrow(/not a valid agency id/);
  });
});
