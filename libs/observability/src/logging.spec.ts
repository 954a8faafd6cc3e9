import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { configureLogging, inLogScope, logger, pinLogLevel, prettyLine } from './logging';
import { inSpan, setupTracing } from './tracing';

const lines: Record<string, unknown>[] = [];
configureLogging({ service: 'interlink-u-police', agencyId: 'u-police', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
setupTracing({ serviceName: 'logging-spec', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });

beforeEach(() => {
  lines.length = 0;
  pinLogLevel(undefined);
});

describe('the log', () => {
  it('writes one JSON object per line: ISO time, level name, service, agency, message', () => {
    logger().info('relay running');
    expect(lines).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: 'info', service: 'interlink-u-police', agency: 'u-police', message: 'relay running' }]);
  });

  it('adds the scope of the work, also after it awaited, and the trace it runs in', async () => {
    await inLogScope({ agencyId: 'u-immigration', correlationId: 'c0ffee00-0000-4000-8000-000000000001', causationId: 'c0ffee00-0000-4000-8000-000000000002' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await inSpan('work', {}, async (span) => {
        await Promise.resolve();
        logger().warn({ context: 'Test' }, 'inside');
        expect(lines.at(-1)).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      });
    });
    logger().info('outside');
    expect(lines[0]).toMatchObject({ level: 'warn', agency: 'u-immigration', correlationId: 'c0ffee00-0000-4000-8000-000000000001', causationId: 'c0ffee00-0000-4000-8000-000000000002', context: 'Test', message: 'inside' });
    expect(lines[1]).toEqual({ time: expect.any(String), level: 'info', service: 'interlink-u-police', agency: 'u-police', message: 'outside' });
  });

  it('keeps to its level; a pinned level wins over the configured one', () => {
    logger().debug('hidden');
    pinLogLevel('debug');
    logger().debug('shown');
    pinLogLevel('error');
    logger().warn('hidden too');
    expect(lines.map((l) => l.message)).toEqual(['shown']);
  });
});

describe('prettyLine', () => {
  it('puts time, level, agency, context and message first, the other fields after', () => {
    const json = JSON.stringify({ level: 'info', time: '2026-01-02T08:15:02.113Z', service: 's', agency: 'police', context: 'HTTP', message: 'POST /suspects 201', correlationId: 'c1', status: 201 });
    expect(prettyLine(json)).toBe('08:15:02.113 INFO  police [HTTP] POST /suspects 201 correlationId=c1 status=201\n');
    expect(prettyLine(json, true)).toContain('\x1b[32mINFO \x1b[0m');
  });

  it('passes a line that is not JSON through', () => {
    expect(prettyLine('plain\n')).toBe('plain\n');
  });
});
