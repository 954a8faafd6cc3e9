import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Partitioners } from 'kafkajs';
import { EventEnvelope, topicFor, uuidv7 } from '@interlink/contracts';
import { configureLogging, setupTracing } from '@interlink/observability';
import { testKafka, waitFor } from '@interlink/testing';
import { Http, Stack, startStack } from './stack';

type LogLine = Record<string, unknown>;

/** The samples of a Prometheus text exposition: one per series, its labels and value. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return [{ name: match[1], labels, value: Number(match[3]) }];
  });
}

/** The value of the one series of `name` with these labels (and perhaps others), 0 when there is none. */
function value(text: string, name: string, labels: Record<string, string>): number {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

async function scrape(http: Http): Promise<string> {
  const response = await http(null).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
}

const traceOf = (event: EventEnvelope) => event.traceparent?.split('-')[1];
const spanOf = (event: EventEnvelope) => event.traceparent?.split('-')[2];

/**
 * What an operator sees of the network: each service's Prometheus metrics, its JSON log lines
 * with the case thread's correlation id, and one trace across agencies from a police command to
 * immigration's alert and police's sighting (an in-memory span exporter stands for a collector).
 */
describe('observability: metrics, logs and traces across police, immigration and the auditors (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;
  const lines: LogLine[] = [];
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    // Set before the services start: they log into this destination and trace into this exporter.
    configureLogging({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    setupTracing({ serviceName: 'e2e', spanProcessors: [new SimpleSpanProcessor(spans)] });
    stack = await startStack(['police', 'immigration'], { audit: true, logger: ['error', 'warn', 'log', 'debug'] });
  });
  afterAll(() => stack?.stop());

  let n = 0;
  const person = (name: string) => ({ name, birthDate: '1984-11-09', nationality: 'MY', passports: [{ number: `A${String(1000000 + n++)}`, country: 'MY' }] });
  const suspect = (name: string) => ({ commandId: uuidv7(), person: person(name), role: 'recruiter' });

  it('exposes Prometheus metrics without a token: appended, published, consumed by outcome, lag, relay, parked, HTTP latency by route, the process', async () => {
    const [police, immigration, audit] = [stack.police.id, stack.immigration.id, stack.audit.id];
    const topic = topicFor(police, immigration);
    const consumer = `${immigration}-policies`;
    const before = await scrape(stack.police.http);
    const delta = (after: string, name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);

    const first = suspect('Metrics Recruiter One');
    const created = await stack.police.http().post('/suspects').send(first).expect(201);
    expect((await stack.police.http().post('/suspects').send(first).expect(201)).body.replayed).toBe(true);
    await stack.police.http().post('/suspects').send(suspect('Metrics Recruiter Two')).expect(201);
    const suspectId = created.body.result.suspectId as string;
    await waitFor('the suspect in the read model', async () => (await stack.police.http().get(`/suspects/${suspectId}`)).status === 200);
    // A message nobody can read: immigration parks it.
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'garbage', value: '{"specversion":' }] });
    await producer.disconnect();

    const after = await waitFor('immigration to apply both suspects and park the garbage', async () => {
      const text = await scrape(stack.immigration.http);
      return delta(text, 'interlink_events_consumed_total', { consumer, outcome: 'applied' }) === 2 && delta(text, 'interlink_events_consumed_total', { consumer, outcome: 'parked' }) === 1 ? text : undefined;
    });
    expect(delta(after, 'interlink_events_appended_total', { agency: police, type: 'intel.police.suspect-identified' })).toBe(2);
    expect(delta(after, 'interlink_events_appended_total', { agency: immigration, type: 'intel.immigration.watchlist-entry-added' })).toBe(2);
    expect(delta(after, 'interlink_events_published_total', { topic })).toBe(2);
    // The retried command is a request like any other, answered from the first result.
    expect(delta(after, 'interlink_http_request_duration_seconds_count', { method: 'POST', route: '/suspects', status: '201' })).toBe(3);
    expect(delta(after, 'interlink_http_request_duration_seconds_count', { method: 'GET', route: '/suspects/:suspectId', status: '200' })).toBe(1);
    expect(value(after, 'interlink_http_request_duration_seconds_bucket', { method: 'POST', route: '/suspects', status: '201', le: '+Inf' })).toBeGreaterThanOrEqual(3);
    expect(after).not.toContain(suspectId);

    // Measured at scrape time and kept for a few seconds, so these catch up a little later.
    const settled = await waitFor('the relay and the consumer to catch up, and the parked message to show', async () => {
      const text = await scrape(stack.police.http);
      const lag = samples(text).filter((s) => s.name === 'interlink_consumer_lag_messages' && s.labels.consumer === consumer && s.labels.topic === topic);
      return lag.length > 0 && lag.every((s) => s.value === 0) && value(text, 'interlink_relay_waiting_events', { agency: police }) === 0 && value(text, 'interlink_parked_events', { consumer }) === 1
        ? text
        : undefined;
    });
    expect(new Set(samples(settled).filter((s) => s.name === 'interlink_consumer_lag_messages' && s.labels.topic === topic).map((s) => s.labels.partition))).toEqual(new Set(['0', '1', '2']));
    expect(value(settled, 'interlink_relay_published_sequence', { agency: police })).toBeGreaterThanOrEqual(2);
    // Once nothing waits, the auditors have the log whole: the suspects and the record of the read.
    expect(delta(settled, 'interlink_events_published_total', { topic: topicFor(police, audit) })).toBe(3);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) expect(settled).toContain(`\n${name} `);

    const archived = await waitFor("the auditors' archive to count what it archived", async () => {
      const text = await scrape(stack.audit.http);
      return value(text, 'interlink_events_consumed_total', { consumer: `${audit}-archive`, outcome: 'archived' }) >= 4 ? text : undefined;
    });
    expect(samples(archived).some((s) => s.name === 'interlink_consumer_lag_messages' && s.labels.consumer === `${audit}-archive`)).toBe(true);
  });

  it("logs JSON lines with the request's correlation id, returned in X-Correlation-Id, and the consumed event's at the partner", async () => {
    const correlationId = uuidv7();
    const command = suspect('Logged Recruiter');
    const response = await stack.police.http().post('/suspects').set('X-Correlation-Id', correlationId).send(command).expect(201);
    expect(response.headers['x-correlation-id']).toBe(correlationId);
    const event = await waitFor('the event in the log', async () => (await stack.police.log()).find((e) => e.id === response.body.result.events[0].id));
    expect(event.correlationid).toBe(correlationId);

    const access = lines.find((l) => l.context === 'HTTP' && l.correlationId === correlationId);
    expect(access).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      service: expect.stringMatching(/^interlink-/),
      agency: stack.police.id,
      correlationId,
      causationId: command.commandId,
      traceId: traceOf(event),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      context: 'HTTP',
      method: 'POST',
      route: '/suspects',
      status: 201,
      durationMs: expect.any(Number),
      message: 'POST /suspects 201',
    });
    const applied = await waitFor('immigration to log applying the event', () =>
      lines.find((l) => l.agency === stack.immigration.id && l.correlationId === correlationId && l.message === 'applied intel.police.suspect-identified'),
    );
    expect(applied).toMatchObject({ level: 'debug', causationId: event.id, traceId: traceOf(event), context: `${stack.immigration.id}-policies` });

    // The command's own correlation id wins over the header; without either it is the command id; a header that is no UUID is ignored.
    const own = { ...suspect('Threaded Recruiter'), correlationId: uuidv7() };
    expect((await stack.police.http().post('/suspects').set('X-Correlation-Id', uuidv7()).send(own).expect(201)).headers['x-correlation-id']).toBe(own.correlationId);
    const plain = suspect('Plain Recruiter');
    expect((await stack.police.http().post('/suspects').set('X-Correlation-Id', 'not a uuid').send(plain).expect(201)).headers['x-correlation-id']).toBe(plain.commandId);
    expect(lines.filter((l) => typeof l.time !== 'string' || typeof l.level !== 'string' || typeof l.service !== 'string' || typeof l.message !== 'string')).toEqual([]);
  });

  it('runs one trace from a police command with a traceparent header through immigration\'s policy to its alert and police\'s sighting', async () => {
    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const command = suspect('Traced Recruiter');
    const identified = await stack.police.http().post('/suspects').set('traceparent', `00-${traceId}-${caller}-01`).send(command).expect(201);
    const suspectId = identified.body.result.suspectId as string;
    await waitFor('the suspect on the watchlist', async () => ((await stack.immigration.http().get('/watchlist').expect(200)).body as { suspect?: { id: string } }[]).some((e) => e.suspect?.id === suspectId));
    // The crossing is a request of its own, in a trace of its own; the alert continues the identification's.
    const { passports, ...traveller } = command.person;
    const crossing = await stack.immigration.http().post('/crossings').send({ commandId: uuidv7(), traveller: { ...traveller, passport: passports[0] }, direction: 'outbound', checkpoint: 'KLIA', crossedAt: '2023-10-19T08:15:00Z' }).expect(201);
    expect(crossing.body.result.alerts).toHaveLength(1);
    await waitFor('police to record the sighting', async () => (await stack.police.http().get(`/suspects/${suspectId}`)).body.sightings === 1);

    // The newest events are readable once the transactions before them have ended.
    const policeLog = await waitFor('the sighting in the police log', async () => {
      const log = await stack.police.log();
      return log.some((e) => e.type === 'intel.police.suspect-sighted') ? log : undefined;
    });
    const immigrationLog = await stack.immigration.log();
    const identification = policeLog.find((e) => e.id === identified.body.result.events[0].id)!;
    const entry = immigrationLog.find((e) => e.type === 'intel.immigration.watchlist-entry-added' && (e.data as { suspect?: { id: string } }).suspect?.id === suspectId)!;
    const recorded = immigrationLog.find((e) => e.id === crossing.body.result.events[0].id)!;
    const alert = immigrationLog.find((e) => e.type === 'intel.immigration.border-alert-raised' && e.causationid === recorded.id)!;
    const sighting = policeLog.find((e) => e.type === 'intel.police.suspect-sighted' && e.causationid === alert.id)!;
    expect([identification, entry, alert, sighting].map(traceOf)).toEqual([traceId, traceId, traceId, traceId]);
    expect(traceOf(recorded)).not.toBe(traceId);

    const trace = new Map(spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId).map((s) => [s.spanContext().spanId, s]));
    const lineage = (span: ReadableSpan | undefined): string[] => {
      const names: string[] = [];
      for (let s = span; s; s = trace.get(s.parentSpanContext?.spanId ?? '')) names.push(s.name);
      return names;
    };
    const policy = [...trace.values()].find((s) => s.name === 'policy watchlist-from-police' && s.attributes['cloudevents.event_type'] === 'intel.police.suspect-identified' && trace.get(s.parentSpanContext!.spanId)?.attributes['cloudevents.event_id'] === identification.id);
    expect(lineage(policy)).toEqual(['policy watchlist-from-police', `process ${topicFor(stack.police.id, stack.immigration.id)}`, 'append', 'command identify-suspect', 'POST /suspects']);
    const server = [...trace.values()].find((s) => s.name === 'POST /suspects')!;
    expect(server.parentSpanContext?.spanId).toBe(caller);
    // The watchlist entry was appended under the policy; the alert continues from it, linked to the crossing's command.
    expect(lineage(trace.get(spanOf(entry)!))).toEqual(['append', ...lineage(policy)]);
    const continued = trace.get(trace.get(spanOf(alert)!)!.parentSpanContext!.spanId)!;
    expect(continued.name).toBe('continue thread');
    expect(continued.parentSpanContext?.spanId).toBe(spanOf(entry));
    expect(continued.links.map((l) => l.context.traceId)).toEqual([traceOf(recorded)]);
    expect(lineage(trace.get(spanOf(sighting)!)).slice(0, 4)).toEqual(['append', 'policy border-sightings', `process ${topicFor(stack.immigration.id, stack.police.id)}`, 'append']);
  });

  it('keeps every log verifiable: the auditors verify the chains that now carry trace context, from the archive and from Kafka', async () => {
    for (const agency of [stack.police, stack.immigration]) {
      const [{ events }] = await agency.dataSource.query(`SELECT count(*)::int AS events FROM interlink.events`);
      await waitFor(`the archive to hold ${agency.id}'s ${events} events`, async () => {
        const [{ last }] = await stack.audit.dataSource.query(`SELECT max(sequence)::int AS last FROM audit.archive WHERE agency = $1`, [agency.id]);
        return last === events;
      });
      const [{ traced }] = await stack.audit.dataSource.query(`SELECT count(*)::int AS traced FROM audit.archive WHERE agency = $1 AND envelope ? 'traceparent'`, [agency.id]);
      expect(traced).toBeGreaterThan(0);
      const fromArchive = (await stack.audit.http().get(`/agencies/${agency.id}/verification`).expect(200)).body;
      expect(fromArchive).toMatchObject({ ok: true, firstSequence: 1, verified: events });
      expect((await stack.audit.http().get(`/agencies/${agency.id}/verification?source=kafka`).expect(200)).body).toEqual(fromArchive);
    }
  });
});
