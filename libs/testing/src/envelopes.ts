import { Classification, EventEnvelope, agencySource, dataschemaFor, uuidv7 } from '@interlink/contracts';
import { caseFileRegistry } from './case-file';

const registry = caseFileRegistry();

/** A well-formed envelope from `agency`, for tests that publish to Kafka directly. */
export function envelopeFrom(
  agency: string,
  stream: string,
  version: number,
  event: { type: string; data: unknown; schemaVersion?: number },
  marking: { classification?: Classification; releasableTo?: string[] } = {},
): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: agencySource(agency),
    type: event.type,
    dataschema: dataschemaFor(event.type, event.schemaVersion ?? (registry.has(event.type) ? registry.currentVersion(event.type) : 1)),
    subject: stream,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
    streamversion: version,
    correlationid: uuidv7(),
    causationid: uuidv7(),
    actor: `${agency}/test`,
    classification: marking.classification ?? 'AMBER',
    handling: '',
    releasableto: (marking.releasableTo ?? []).join(','),
  };
}
