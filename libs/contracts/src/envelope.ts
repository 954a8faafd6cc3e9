import { Classification, TLP, HANDLING } from './markings';

/**
 * An event as it is stored and as it travels on Kafka: a CloudEvents 1.0 event in structured
 * JSON form with Interlink's extension attributes. CloudEvents attributes are scalars, so lists
 * (`handling`, `releasableto`) travel as comma-separated strings; use `listAttribute` to read them.
 */
export interface EventEnvelope<D = unknown> {
  specversion: '1.0';
  /** UUIDv7; a retried append with the same id is a no-op. */
  id: string;
  /** `/agencies/<agency id>` of the agency that recorded the event. */
  source: string;
  /** `intel.<role>.<event-name>`, e.g. `intel.police.suspect-identified`. */
  type: string;
  /** `urn:interlink:schema:<type>:v<version>`: the JSON Schema the data conforms to. */
  dataschema: string;
  /** The stream (aggregate) id the event belongs to. */
  subject: string;
  /** When it happened (RFC 3339). */
  time: string;
  datacontenttype: 'application/json';
  data: D;
  /** Position of the event in its stream, from 1. */
  streamversion: number;
  /** Position in the agency's published log, from 1; set by the relay when it publishes. */
  sequence?: number;
  correlationid: string;
  causationid: string;
  /** Who issued the command: `<agency id>/<user id>` or `<agency id>/policy/<name>`. */
  actor: string;
  classification: Classification;
  /** Comma-separated handling codes (may be empty). */
  handling: string;
  /** Comma-separated agency ids the event may be released to (may be empty). */
  releasableto: string;
  /** Hash of the previous event in the agency's published log (the chain). */
  prevhash?: string;
  /** Digest of `data`: the hash commits to the payload through it, so a stub without data still verifies. */
  datahash?: string;
  /** `sha256:` hash of this event's canonical header (every attribute but data, hash, signature, keyid). */
  hash?: string;
  /** Ed25519 signature of the batch's Merkle root, with this event's inclusion proof. */
  signature?: string;
  keyid?: string;
  /** Set on the stub sent to auditors in place of an event whose payload may not leave (TLP:RED). */
  datawithheld?: string;
  /**
   * W3C trace context of the work that recorded the event (CloudEvents distributed-tracing
   * extension): a partner applying it continues the same trace. Part of the event as written,
   * so the hash covers it. Absent when the work was not traced.
   */
  traceparent?: string;
  /** Vendor trace state that came with `traceparent`, if any. */
  tracestate?: string;
}

export function listAttribute(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function dataschemaFor(type: string, version: number): string {
  return `urn:interlink:schema:${type}:v${version}`;
}

export function parseDataschema(dataschema: string): { type: string; version: number } | undefined {
  const match = /^urn:interlink:schema:([a-z0-9.-]+):v([1-9][0-9]*)$/.exec(dataschema);
  return match ? { type: match[1], version: Number(match[2]) } : undefined;
}

/** JSON Schema of the envelope itself; payloads are checked separately against their own schema. */
export const envelopeSchema = {
  $id: 'urn:interlink:schema:envelope:v1',
  type: 'object',
  required: [
    'specversion', 'id', 'source', 'type', 'dataschema', 'subject', 'time', 'datacontenttype', 'data',
    'streamversion', 'correlationid', 'causationid', 'actor', 'classification', 'handling', 'releasableto',
  ],
  additionalProperties: false,
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', format: 'uuid' },
    source: { type: 'string', pattern: '^/agencies/[a-z][a-z0-9]*(-[a-z0-9]+)*$' },
    type: { type: 'string', pattern: '^intel\\.[a-z0-9-]+\\.[a-z0-9-]+$', maxLength: 200 },
    dataschema: { type: 'string', pattern: '^urn:interlink:schema:[a-z0-9.-]+:v[1-9][0-9]*$' },
    subject: { type: 'string', minLength: 1, maxLength: 200 },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { const: 'application/json' },
    data: { type: 'object' },
    streamversion: { type: 'integer', minimum: 1 },
    sequence: { type: 'integer', minimum: 1 },
    correlationid: { type: 'string', format: 'uuid' },
    causationid: { type: 'string', format: 'uuid' },
    actor: { type: 'string', minLength: 1, maxLength: 200 },
    classification: { enum: [...TLP] },
    handling: { type: 'string', pattern: `^((${HANDLING.join('|')})(,(${HANDLING.join('|')}))*)?$` },
    releasableto: { type: 'string', pattern: '^([a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*)?$' },
    prevhash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    datahash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    signature: { type: 'string', maxLength: 4000 },
    keyid: { type: 'string', maxLength: 200 },
    // version 00: trace id and parent span id in lower-case hex, then the flags.
    traceparent: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
    // W3C allows at most 32 list members in 512 characters, all printable ASCII.
    tracestate: { type: 'string', maxLength: 512, pattern: '^[\\x20-\\x7e]*$' },
  },
} as const;

