const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/**
 * Only a non-empty marker counts as withheld: anything else (null, '') would otherwise let an
 * edited payload skip its digest check by carrying an empty attribute.
 */
export function isWithheld(envelope: Record<string, unknown>): boolean {
  return typeof envelope.datawithheld === 'string' && envelope.datawithheld.length > 0;
}

/** How reasons name an event, so an operator can find it in the log: `event <id> (sequence <n>)`. */
export function describeEvent(envelope: object): string {
  const { id, sequence } = envelope as { id?: unknown; sequence?: unknown };
  const name = typeof id === 'string' && id.length > 0 ? `event ${id}` : 'an event without id';
  return typeof sequence === 'number' ? `${name} (sequence ${sequence})` : name;
}
