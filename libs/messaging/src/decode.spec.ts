import { EventEnvelope } from '@interlink/contracts';
import { caseFileRegistry, envelopeFrom } from '@interlink/testing';
import { EnvelopeVerifier, PoisonMessage, decodeMessage } from './decode';

const registry = caseFileRegistry();
const topic = 'intel.police.immigration';
const opened = (stream = 'case-1', marking: Parameters<typeof envelopeFrom>[4] = {}) =>
  envelopeFrom('police', stream, 1, { type: 'intel.testing.case-opened', data: { title: 'Raid in Lima', country: 'PE' } }, { releasableTo: ['immigration'], ...marking });
const message = (value: unknown, key: string | null = (value as EventEnvelope)?.subject ?? null) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
/** Stands in for the seal: accepts the events `sealed` was given, as a verifier accepts what their sender signed. */
const sealedIds = new Set<string>();
const sealed = <E extends { id: string }>(e: E): E => (sealedIds.add(e.id), e);
const verify: EnvelopeVerifier = (envelope) => (sealedIds.has(envelope.id) ? undefined : `event ${envelope.id} was changed after it was sealed`);

function poison(run: () => unknown): PoisonMessage {
  try {
    run();
  } catch (error) {
    if (error instanceof PoisonMessage) return error;
    throw error;
  }
  throw new Error('the message was accepted');
}

describe('decodeMessage', () => {
  it('gives the checked, upcast envelope of a message from the sender the topic names', () => {
    const e = opened();
    expect(decodeMessage(registry, 'immigration', topic, message(e))).toEqual(e);
  });

  it.each([
    ['an empty value', message(Buffer.alloc(0), null), /^empty message: no event in the value$/],
    ['no value', message(null, null), /^empty message/],
    ['bytes that are not JSON', message(Buffer.from([0xff, 0x00, 0x13]), null), /^value is not JSON: /],
    ['JSON that is not an object', message([1, 2], null), /^value is JSON but not an event envelope: it is an array, not an object$/],
    ['an envelope from another agency', message({ ...opened(), source: '/agencies/other' }), /^sender mismatch: topic "intel.police.immigration" carries events from "police", but this event's source is "\/agencies\/other"$/],
    ['an object without a source', message({ subject: 'case-1' }), /^sender mismatch: .* but this event names no source$/],
  ])('parks %s, holding no stream back', (_what, given, reason) => {
    const p = poison(() => decodeMessage(registry, 'immigration', topic, given));
    expect(p.reason).toMatch(reason);
    expect(p.holdsStream).toBe(false);
  });

  it('parks a message its sender did not seal, holding back no stream, and records the stream it claims', () => {
    const e = opened('case-claimed');
    const p = poison(() => decodeMessage(registry, 'immigration', topic, message(e), verify));
    expect(p).toMatchObject({ reason: `not accepted as police's: event ${e.id} was changed after it was sealed`, holdsStream: false, partial: { eventId: e.id, streamId: 'case-claimed' } });
  });

  it('parks an auditors\' stub sent to a partner: its payload is not covered by the seal', () => {
    const p = poison(() => decodeMessage(registry, 'immigration', topic, message(sealed({ ...opened(), datawithheld: 'RED' })), verify));
    expect(p.reason).toMatch(/is an auditors' stub without its payload \(datawithheld\)/);
    expect(p.holdsStream).toBe(false);
  });

  it.each([
    ['a schema violation', { data: { title: 'x', country: 'Peru' } }, /^data of intel.testing.case-opened v2 does not match its schema: \/country must match pattern/],
    ['an unknown type', { type: 'intel.testing.case-closed', dataschema: 'urn:interlink:schema:intel.testing.case-closed:v1' }, /^unknown event type "intel.testing.case-closed"$/],
    ['a NUL in its actor', { actor: 'police/\u0000' }, /^the event holds text that cannot be stored: \/actor holds a NUL character/],
    ['a lone surrogate in its payload', { data: { title: 'Raid \ud800', country: 'PE' } }, /^the event holds text that cannot be stored: \/data\/title holds a lone UTF-16 surrogate \(U\+D800\)/],
  ])('parks a sealed event with %s, holding its stream back', (_what, change, reason) => {
    const e = { ...opened(), ...change };
    const p = poison(() => decodeMessage(registry, 'immigration', topic, message(sealed(e), e.subject), verify));
    expect(p.reason).toMatch(reason);
    expect(p.holdsStream).toBe(true);
  });

  it.each([
    ['marked RED', opened('case-1', { classification: 'RED' }), 'case-1', /^event .* is marked TLP:RED and must never leave police$/],
    ['not releasable to this agency', opened('case-1', { releasableTo: ['foreign-ministry'] }), 'case-1', /^event .* is releasable to "foreign-ministry", not to this agency \("immigration"\): police should not have sent it here$/],
    ['releasable to no partner', opened('case-1', { releasableTo: [] }), 'case-1', /is releasable to no partner, not to this agency/],
    ['under another message key', opened('case-1'), 'case-2', /^message key "case-2" is not the event's stream id "case-1"$/],
  ])('parks a sealed event %s, holding no stream back: it should not have come here', (_what, e, key, reason) => {
    const p = poison(() => decodeMessage(registry, 'immigration', topic, message(sealed(e), key), verify));
    expect(p.reason).toMatch(reason);
    expect(p).toMatchObject({ holdsStream: false, partial: { streamId: 'case-1' } });
  });

  it('reads no stream id that Postgres could not store from a message not checked yet', () => {
    const p = poison(() => decodeMessage(registry, 'immigration', topic, message({ ...opened(), subject: 'case\u0000', source: '/agencies/other' }, 'case')));
    expect(p.partial.streamId).toBeUndefined();
  });

  it('parks a message on a topic addressed to another agency', () =>
    expect(poison(() => decodeMessage(registry, 'immigration', 'intel.police.audit', message(opened()))).reason).toBe('topic "intel.police.audit" is addressed to "audit", not to this agency ("immigration")'));
});
