import { CaseOpened, NoteAdded, caseFileRegistry } from '../../testing/src/case-file';
import { ContractViolation, EventEnvelope, UnknownEventType, dataschemaFor, defineEvent, uuidv7 } from './index';

function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: '/agencies/police',
    type: NoteAdded.type,
    dataschema: dataschemaFor(NoteAdded.type, 1),
    subject: 'case-1',
    time: '2023-10-17T09:30:00.000Z',
    datacontenttype: 'application/json',
    data: { text: 'raid planned' },
    streamversion: 2,
    correlationid: uuidv7(),
    causationid: uuidv7(),
    actor: 'police/officer-1',
    classification: 'AMBER',
    handling: '',
    releasableto: 'immigration',
    ...overrides,
  };
}

describe('EventRegistry', () => {
  const registry = caseFileRegistry();

  it('accepts a valid envelope and payload', () => {
    expect(() => registry.validate(envelope())).not.toThrow();
  });

  it('names an unknown payload field', () => {
    expect(() => registry.validate(envelope({ data: { text: 'x', passport: 'A123' } }))).toThrow(
      /data of intel.testing.note-added v1 does not match its schema: \(root\) has an unknown field "passport"/,
    );
  });

  it('names a missing envelope attribute and an unknown one', () => {
    const { subject: _omitted, ...withoutSubject } = envelope();
    expect(() => registry.validate(withoutSubject)).toThrow(/must have required property 'subject'/);
    expect(() => registry.validate({ ...envelope(), extra: 1 })).toThrow(/unknown field "extra"/);
  });

  it('refuses an unknown type and an unknown version', () => {
    expect(() => registry.validate(envelope({ type: 'intel.police.nothing', dataschema: dataschemaFor('intel.police.nothing', 1) }))).toThrow(
      UnknownEventType,
    );
    expect(() => registry.validate(envelope({ dataschema: dataschemaFor(NoteAdded.type, 7) }))).toThrow(/unknown version 7/);
  });

  it('refuses a dataschema naming another type', () => {
    expect(() => registry.validate(envelope({ dataschema: dataschemaFor(CaseOpened.type, 2) }))).toThrow(
      /does not name the event's type/,
    );
  });

  it('accepts W3C trace context (CloudEvents distributed tracing) and refuses a malformed one', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(() => registry.validate(envelope({ traceparent, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }))).not.toThrow();
    for (const bad of ['0af7651916cd43dd8448eb211c80319c', '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', `${traceparent}\n`]) {
      expect(() => registry.validate(envelope({ traceparent: bad }))).toThrow(/\/traceparent must match pattern/);
    }
    expect(() => registry.validate(envelope({ traceparent, tracestate: 'a=b\u0007' }))).toThrow(/\/tracestate must match pattern/);
    expect(() => registry.validate(envelope({ traceparent, tracestate: `a=${'x'.repeat(511)}` }))).toThrow(/\/tracestate must NOT have more than 512 characters/);
  });

  it('refuses a bad marking', () => {
    expect(() => registry.validate(envelope({ classification: 'PINK' as never }))).toThrow(ContractViolation);
  });

  it('upcasts an old version on read without touching the original', () => {
    const v1 = envelope({ type: CaseOpened.type, dataschema: dataschemaFor(CaseOpened.type, 1), data: { title: 'La Molina' } });
    const current = registry.upcast<{ title: string; country: string }>(v1);
    expect(current.data).toEqual({ title: 'La Molina', country: 'unknown' });
    expect(current.dataschema).toBe(dataschemaFor(CaseOpened.type, 2));
    expect(v1.data).toEqual({ title: 'La Molina' });
  });

  it('refuses a definition without an upcaster for an older version', () => {
    expect(() => defineEvent()({ type: 'intel.testing.x', version: 2, schema: { type: 'object' } })).toThrow(/no upcaster from version 1/);
  });
});

describe('uuidv7', () => {
  it('sorts in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1700000000000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('starts with the 48-bit milliseconds it was made at, and differs in its random bits', () => {
    // Later than any id made before in this process: ids never go back in time.
    const at = 1_900_000_000_000;
    const ids = Array.from({ length: 600 }, () => uuidv7(at));
    expect(ids[0].replace(/-/g, '').slice(0, 12)).toBe(at.toString(16).padStart(12, '0'));
    // Drawn over more than one 4 KiB pool of random bytes: no two ids share their random tail.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
