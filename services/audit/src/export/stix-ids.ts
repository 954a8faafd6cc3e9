import { createHash } from 'node:crypto';

/**
 * Namespace of every name-based STIX id Interlink derives. STIX 2.1 reserves its own UUIDv5
 * namespace (00abedb4-...) for cyber-observable ids and forbids it for anything else, so domain,
 * relationship and meta objects get a namespace of their own, fixed once so ids stay stable.
 */
export const INTERLINK_STIX_NAMESPACE = '3b243ed7-52bb-4224-b64b-5531e965ff31';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 / RFC 9562 version 5: SHA-1 of the namespace's 16 bytes then the name's UTF-8 bytes. */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new Error(`"${namespace}" is not a UUID`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = 0x50 | (hash[6] & 0x0f);
  hash[8] = 0x80 | (hash[8] & 0x3f);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `<type>--<UUIDv5>` named by the type and the parts that identify the record, e.g.
 * `stixId('threat-actor', 'police', suspectId)`. The agency is always one of the parts because a
 * record's id is only unique within the agency that keeps it; the type is one too, so the UUID
 * part alone is already unique across object types.
 */
export function stixId(type: string, ...parts: string[]): string {
  return `${type}--${uuidV5(INTERLINK_STIX_NAMESPACE, [type, ...parts].join('/'))}`;
}
