import { KafkaMessage } from 'kafkajs';
import { EventEnvelope, EventRegistry, agencyOfSource, listAttribute, parseTopic, unstorableString } from '@interlink/contracts';

/** A message that can never be applied as it is: it is parked with `reason`. */
export class PoisonMessage extends Error {
  constructor(
    readonly reason: string,
    /** What could be read of the message; unless it holds its stream, the stream id is only what it claims. */
    readonly partial: { eventId?: string; streamId?: string; type?: string } = {},
    /**
     * Whether later events of its stream wait behind it, to keep the stream's order. Only an event
     * its sender is known to have published and that cannot be applied as it is holds its stream:
     * a message whose sender is not established could otherwise stop any stream it names.
     */
    readonly holdsStream = false,
  ) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What can be read of a message not checked yet: only what Postgres can store, since it is recorded with the message. */
function readable(json: Record<string, unknown>): PoisonMessage['partial'] {
  const { id, subject, type } = json;
  const storable = (text: unknown, max: number) => (typeof text === 'string' && text.length > 0 && text.length <= max && !unstorableString(text) ? text : undefined);
  return {
    eventId: typeof id === 'string' && UUID.test(id) ? id : undefined,
    streamId: storable(subject, 200),
    type: storable(type, 200),
  };
}

function described(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * Turns a Kafka message from `topic` into a checked, upcast envelope, or throws PoisonMessage
 * saying what is wrong. In order: it must be a JSON object from the agency the topic
 * (`intel.<from>.<to>`) names, sealed by it (when `verify` is given), addressed to this agency,
 * and a valid, storable envelope of a known type whose message key is its stream id.
 *
 * Until the seal is checked, nothing in the message is known to come from its sender: such a
 * poison message holds no stream back. After it, what fails is the sender's own event; if it
 * cannot be applied (schema, unknown type, upcasting) its stream waits behind it, while one that
 * should not have come here at all (RED, not releasable to us, under another message key) does not.
 */
export function decodeMessage(
  registry: EventRegistry,
  self: string,
  topic: string,
  message: Pick<KafkaMessage, 'key' | 'value'>,
  verify?: EnvelopeVerifier,
): EventEnvelope {
  const route = parseTopic(topic);
  if (!route) throw new PoisonMessage(`topic "${topic}" is not an intel.<from>.<to> topic`);
  if (route.to !== self) throw new PoisonMessage(`topic "${topic}" is addressed to "${route.to}", not to this agency ("${self}")`);
  if (!message.value || message.value.length === 0) throw new PoisonMessage('empty message: no event in the value');
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new PoisonMessage(`value is not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PoisonMessage(`value is JSON but not an event envelope: it is ${described(json)}, not an object`);
  }
  const envelope = json as Record<string, unknown>;
  const partial = readable(envelope);
  const unproven = (reason: string) => new PoisonMessage(reason, partial, false);
  const source = envelope.source;
  if (typeof source !== 'string' || agencyOfSource(source) !== route.from) {
    throw unproven(
      `sender mismatch: topic "${topic}" carries events from "${route.from}", but ${typeof source === 'string' ? `this event's source is "${source.slice(0, 200)}"` : 'this event names no source'}`,
    );
  }
  // The signature covers the event as its sender wrote it, so it is checked before anything else is.
  const refused = verify?.(envelope as unknown as EventEnvelope, route.from);
  if (refused) throw unproven(`not accepted as ${route.from}'s: ${refused}`);
  // A stub's payload is not covered by its seal; only the auditors receive stubs.
  if (Object.hasOwn(envelope, 'datawithheld')) {
    throw unproven(`event ${partial.eventId ?? '(without id)'} is an auditors' stub without its payload (datawithheld), which no partner receives; its payload is not sealed`);
  }
  const held = (reason: string) => new PoisonMessage(reason, partial, true);
  try {
    registry.validate(json);
  } catch (error) {
    throw held((error as Error).message);
  }
  const misrouted = (reason: string) => new PoisonMessage(reason, partial, false);
  if (json.classification === 'RED') throw misrouted(`event ${json.id} is marked TLP:RED and must never leave ${route.from}`);
  if (!listAttribute(json.releasableto).includes(self)) {
    throw misrouted(`event ${json.id} is releasable to ${json.releasableto ? `"${json.releasableto}"` : 'no partner'}, not to this agency ("${self}"): ${route.from} should not have sent it here`);
  }
  const key = message.key?.toString('utf8');
  if (key !== json.subject) throw misrouted(`message key "${(key ?? '').slice(0, 200)}" is not the event's stream id "${json.subject}"`);
  try {
    return registry.upcast(json, { validated: true });
  } catch (error) {
    throw held((error as Error).message);
  }
}

/** Checks an event's seal (hash, signature, key of the sender); returns why it is refused, or nothing. */
export type EnvelopeVerifier = (envelope: EventEnvelope, sender: string) => string | undefined;
