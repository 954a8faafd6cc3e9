import { KafkaMessage } from 'kafkajs';
import { EventEnvelope, EventRegistry, agencyOfSource, parseTopic } from '@interlink/contracts';

/** A message that can never be applied as it is: it is parked with `reason`. */
export class PoisonMessage extends Error {
  constructor(
    readonly reason: string,
    /** What could be read of the message, so that its stream can be held back. */
    readonly partial: { eventId?: string; streamId?: string; type?: string } = {},
  ) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readable(json: unknown): PoisonMessage['partial'] {
  if (typeof json !== 'object' || json === null) return {};
  const { id, subject, type } = json as Record<string, unknown>;
  return {
    eventId: typeof id === 'string' && UUID.test(id) ? id : undefined,
    streamId: typeof subject === 'string' && subject.length > 0 && subject.length <= 200 ? subject : undefined,
    type: typeof type === 'string' ? type.slice(0, 200) : undefined,
  };
}

/**
 * Turns a Kafka message from `topic` into a checked, upcast envelope, or throws PoisonMessage
 * saying what is wrong: not JSON, not an envelope, unknown type, schema violation, or a sender
 * or recipient that does not match the topic (`intel.<from>.<to>`).
 */
export function decodeMessage(
  registry: EventRegistry,
  self: string,
  topic: string,
  message: Pick<KafkaMessage, 'key' | 'value'>,
  verify?: EnvelopeVerifier,
): EventEnvelope {
  if (!message.value || message.value.length === 0) throw new PoisonMessage('empty message: no event in the value');
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new PoisonMessage(`value is not JSON: ${(error as Error).message}`);
  }
  const partial = readable(json);
  try {
    registry.validate(json);
  } catch (error) {
    throw new PoisonMessage((error as Error).message, partial);
  }
  const route = parseTopic(topic);
  if (!route) throw new PoisonMessage(`topic "${topic}" is not an intel.<from>.<to> topic`, partial);
  if (route.to !== self) {
    throw new PoisonMessage(`topic "${topic}" is addressed to "${route.to}", not to this agency ("${self}")`, partial);
  }
  const sender = agencyOfSource(json.source);
  if (sender !== route.from) {
    throw new PoisonMessage(
      `sender mismatch: topic "${topic}" carries events from "${route.from}", but this event's source is "${json.source}"`,
      partial,
    );
  }
  if (json.classification === 'RED') {
    throw new PoisonMessage(`event ${json.id} is marked TLP:RED and must never leave ${sender}`, partial);
  }
  const key = message.key?.toString('utf8');
  if (key !== json.subject) {
    throw new PoisonMessage(`message key "${key ?? ''}" is not the event's stream id "${json.subject}"`, partial);
  }
  // The signature covers the event as its sender wrote it, so it is checked before upcasting.
  const refused = verify?.(json, route.from);
  if (refused) throw new PoisonMessage(`not accepted as ${route.from}'s: ${refused}`, partial);
  try {
    return registry.upcast(json, { validated: true });
  } catch (error) {
    throw new PoisonMessage((error as Error).message, partial);
  }
}

/** Checks an event's seal (hash, signature, key of the sender); returns why it is refused, or nothing. */
export type EnvelopeVerifier = (envelope: EventEnvelope, sender: string) => string | undefined;
