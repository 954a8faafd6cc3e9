import { Logger } from '@nestjs/common';
import { configureLogging } from '@interlink/observability';
import { interlinkLogger } from './nest-logger';

const lines: Record<string, unknown>[] = [];
configureLogging({ service: 'interlink-u-police', agencyId: 'u-police', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });

beforeEach(() => {
  lines.length = 0;
});

describe('interlinkLogger', () => {
  it("writes Nest's lines as JSON with their context, and an error's stack", () => {
    const nest = interlinkLogger(['log', 'error']);
    nest.log('relay running', 'AgencyRuntime');
    nest.error('POST /suspects failed', 'Error: boom\n    at somewhere (x.ts:1:1)', 'HTTP');
    nest.error('no stack here', undefined, 'HTTP');
    nest.error('a stack without context', 'Error: boom\n    at somewhere (x.ts:1:1)');
    expect(lines.map(({ time: _t, service: _s, agency: _a, ...rest }) => rest)).toEqual([
      { level: 'info', context: 'AgencyRuntime', message: 'relay running' },
      { level: 'error', context: 'HTTP', stack: 'Error: boom\n    at somewhere (x.ts:1:1)', message: 'POST /suspects failed' },
      { level: 'error', context: 'HTTP', message: 'no stack here' },
      { level: 'error', stack: 'Error: boom\n    at somewhere (x.ts:1:1)', message: 'a stack without context' },
    ]);
  });

  it('keeps to the levels given in code, and to none when given false', () => {
    Logger.overrideLogger(interlinkLogger(['warn', 'error']));
    const logger = new Logger('Test');
    logger.log('hidden');
    logger.warn('shown');
    Logger.overrideLogger(interlinkLogger(false));
    logger.error('hidden too');
    expect(lines.map((l) => [l.level, l.context, l.message])).toEqual([['warn', 'Test', 'shown']]);
  });

  it('writes an Error as its message, with the error serialised', () => {
    interlinkLogger(['log']).log(new Error('kafka away'), 'Relay');
    expect(lines[0]).toMatchObject({ level: 'info', context: 'Relay', message: 'kafka away', err: { type: 'Error', message: 'kafka away' } });
  });
});
