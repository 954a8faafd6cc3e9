import { DEFAULT_STATEMENT_CACHE } from '@interlink/event-store';
import { agencyConfigFromEnv } from './config';

describe('agencyConfigFromEnv: DB_STATEMENT_CACHE', () => {
  it('keeps the default number of prepared statements per connection unless told, and none with 0', () => {
    expect(agencyConfigFromEnv('police', {}).statementCache).toBe(DEFAULT_STATEMENT_CACHE);
    expect(agencyConfigFromEnv('police', { DB_STATEMENT_CACHE: '0' }).statementCache).toBe(0);
    expect(agencyConfigFromEnv('immigration', { DB_STATEMENT_CACHE: '500' }).statementCache).toBe(500);
  });

  it('refuses what is not a whole number from 0 to 10000, naming the variable', () => {
    for (const bad of ['abc', '-1', '1.5', '10001']) expect(() => agencyConfigFromEnv('police', { DB_STATEMENT_CACHE: bad })).toThrow(/DB_STATEMENT_CACHE/);
  });
});

describe('agencyConfigFromEnv: RELAY_LINGER_MS', () => {
  it('lets events gather 30 ms before a waiting relay reads them unless told, and not at all with 0', () => {
    expect(agencyConfigFromEnv('police', {}).relayLingerMs).toBe(30);
    expect(agencyConfigFromEnv('police', { RELAY_LINGER_MS: '0' }).relayLingerMs).toBe(0);
    expect(agencyConfigFromEnv('immigration', { RELAY_LINGER_MS: '250' }).relayLingerMs).toBe(250);
  });

  it('refuses what is not a whole number from 0 to 1000, naming the variable', () => {
    for (const bad of ['soon', '-1', '2.5', '1001']) expect(() => agencyConfigFromEnv('police', { RELAY_LINGER_MS: bad })).toThrow(/RELAY_LINGER_MS/);
  });
});
