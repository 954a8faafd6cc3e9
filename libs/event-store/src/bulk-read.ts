import { EntityManager } from 'typeorm';
import { EventRegistry } from '@interlink/contracts';
import { openDataInPlace, sealedRefs } from '@interlink/security';
import { DataKeys } from './data-keys';
import { STORED, type StoredEvent } from './event-store';

/**
 * What readLog does to the envelopes it read, for events read as stored (`open: false, upcast:
 * false`) that nobody else holds: their sealed parts are opened with the agency's keys where they
 * lie (an erased record reads as erased), without the copy readLog makes, then each envelope is
 * upcast by the registry as readLog does (see STORED). The result is the envelopes readLog returns.
 */
export async function openAndUpcastInPlace(
  events: StoredEvent[],
  manager: EntityManager,
  registry: EventRegistry,
  keys: DataKeys,
  agencyId: string,
): Promise<StoredEvent[]> {
  const refs = new Set<string>();
  for (const { envelope } of events) sealedRefs(envelope.data, refs);
  const found = refs.size ? await keys.find(manager, agencyId, refs) : new Map<string, Buffer | null>();
  const keyFor = (ref: string) => found.get(ref);
  for (const event of events) {
    if (refs.size) event.envelope.data = openDataInPlace(event.envelope.data, keyFor);
    event.envelope = registry.upcast(event.envelope, STORED);
  }
  return events;
}
