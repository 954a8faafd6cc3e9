import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { uuidv7 } from '@interlink/contracts';
import { eventsAppended, inSpan, setupTracing } from '@interlink/observability';
import { TestDatabase, caseFileRegistry, createTestDatabase } from '@interlink/testing';
import { AppendContext, EventStore, appendedMark, forgetAppendedSince } from './index';

const spans = new InMemorySpanExporter();
setupTracing({ serviceName: 'event-store-spec', spanProcessors: [new SimpleSpanProcessor(spans)] });

const context = (): AppendContext => ({ correlationId: uuidv7(), causationId: uuidv7(), actor: 'police/officer-7', classification: 'AMBER' });
const note = (text: string) => ({ type: 'intel.testing.note-added', data: { text } });

describe('EventStore observability (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  const agency = `obs-${uuidv7().slice(-8)}`;
  const appended = async () => (await eventsAppended.get()).values.find((v) => v.labels.agency === agency && v.labels.type === 'intel.testing.note-added')?.value ?? 0;

  beforeAll(async () => {
    db = await createTestDatabase('event_store_observability');
    store = new EventStore(db.dataSource, caseFileRegistry(), agency);
  });
  afterAll(() => db.drop());
  beforeEach(() => spans.reset());

  it('records the trace context of traced work on each event: the append span, child of the work', async () => {
    const { result, command } = await inSpan('command', {}, async (span) => ({ result: await store.append('case-t', 0, [note('one'), note('two')], context()), command: span.spanContext() }));
    const append = spans.getFinishedSpans().find((s) => s.name === 'append')!;
    expect(append.parentSpanContext?.spanId).toBe(command.spanId);
    expect(append.attributes).toMatchObject({ 'interlink.stream': 'case-t', 'interlink.events': 2 });
    const traceparent = `00-${command.traceId}-${append.spanContext().spanId}-01`;
    expect(result.events.map((e) => e.traceparent)).toEqual([traceparent, traceparent]);
    // As stored, and so as the relay will chain and publish it.
    const [row] = await db.dataSource.query(`SELECT envelope->>'traceparent' AS traceparent FROM interlink.events WHERE stream_id = 'case-t' LIMIT 1`);
    expect(row.traceparent).toBe(traceparent);
  });

  it('records none for work outside a trace, and makes no span', async () => {
    const { events } = await store.append('case-u', 0, [note('untraced')], context());
    expect(events[0]).not.toHaveProperty('traceparent');
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it('counts appended events when their transaction commits, not when it rolls back, and a retried append not at all', async () => {
    const before = await appended();
    const ids = [uuidv7()];
    await store.append('case-c', 0, [{ ...note('committed'), id: ids[0] }], context());
    expect(await appended()).toBe(before + 1);
    await store.append('case-c', 0, [{ ...note('committed'), id: ids[0] }], context());
    expect(await appended()).toBe(before + 1);

    await expect(
      db.dataSource.transaction(async (m) => {
        await store.append('case-r', 0, [note('rolled back')], context(), m);
        expect(await appended()).toBe(before + 1);
        throw new Error('the command was refused after all');
      }),
    ).rejects.toThrow('refused');
    expect(await appended()).toBe(before + 1);
    expect(await store.readStream('case-r')).toEqual([]);
  });

  it('forgets what a rolled-back savepoint appended, and counts the rest at commit', async () => {
    const before = await appended();
    await db.dataSource.transaction(async (m) => {
      await store.append('case-s1', 0, [note('kept')], context(), m);
      const mark = appendedMark(m);
      await m.query('SAVEPOINT attempt');
      await store.append('case-s2', 0, [note('undone')], context(), m);
      await m.query('ROLLBACK TO SAVEPOINT attempt');
      forgetAppendedSince(m, mark);
    });
    expect(await appended()).toBe(before + 1);
  });
});
