/**
 * Agencies are identified by a short id (`police`, `kh-police`, `immigration`, ...). The id is
 * deployment configuration; the role says which codebase the deployment runs.
 */
export const AGENCY_ROLES = ['police', 'immigration', 'foreign-ministry', 'task-force', 'audit'] as const;
export type AgencyRole = (typeof AGENCY_ROLES)[number];

const AGENCY_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function isAgencyId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 40 && AGENCY_ID.test(value);
}

export function assertAgencyId(value: string): string {
  if (!isAgencyId(value)) {
    throw new Error(
      `"${value}" is not a valid agency id: use lower-case letters, digits and single hyphens, e.g. "police" or "kh-police"`,
    );
  }
  return value;
}

export function agencySource(agencyId: string): string {
  return `/agencies/${assertAgencyId(agencyId)}`;
}

/** The agency id in a CloudEvents `source`, or undefined when the source is not an agency's. */
export function agencyOfSource(source: string): string | undefined {
  const match = /^\/agencies\/([^/]+)$/.exec(source);
  return match && isAgencyId(match[1]) ? match[1] : undefined;
}

/** Kafka topic that carries what `from` releases to `to`: `intel.<from>.<to>`. */
export function topicFor(from: string, to: string): string {
  return `intel.${assertAgencyId(from)}.${assertAgencyId(to)}`;
}

/** Sender and recipient of a `<kind>.<from>.<to>` topic. */
function parseRoute(kind: 'intel' | 'keys', topic: string): { from: string; to: string } | undefined {
  const match = /^([a-z]+)\.([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(topic);
  if (!match || match[1] !== kind || !isAgencyId(match[2]) || !isAgencyId(match[3])) return undefined;
  return { from: match[2], to: match[3] };
}

export function parseTopic(topic: string): { from: string; to: string } | undefined {
  return parseRoute('intel', topic);
}

/**
 * Compacted Kafka topic on which `from` delivers to `to` the data keys of the person records whose
 * sealed personal data it shares (`keys.<from>.<to>`, keyed by record); erasure sends a tombstone.
 */
export function keyTopicFor(from: string, to: string): string {
  return `keys.${assertAgencyId(from)}.${assertAgencyId(to)}`;
}

export function parseKeyTopic(topic: string): { from: string; to: string } | undefined {
  return parseRoute('keys', topic);
}
