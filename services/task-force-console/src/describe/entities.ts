import { PersonalDataSpec, forEachPersonalPart } from '@interlink/contracts';
import { MatchView, PERSON_KEYS, matchView, personParts } from './persons';

/**
 * The records an event is about, across agencies, as keys `<kind>:<owning agency>:<id>`: a
 * police suspect `suspect:police:<uuid>`, an immigration alert `alert:immigration:<uuid>`, a
 * ministry case `case:foreign-ministry:<uuid>`, a person record `person:<agency>:<ref>`.
 * Dossiers are built from these keys and from the relations between them.
 */
/** A match's reason and score; its explanation unless withheld (it names people and passports). */
export type MatchInfo = MatchView;

export interface Relation {
  from: string;
  to: string;
  /** What the event says of the two: `about`, `member of`, `matched`, `traveller`, ... */
  relation: string;
  /** Why the records were linked, when a match linked them (alerts, reconciliations, flags). */
  match?: MatchInfo;
}

export interface EventLinks {
  /** The record whose stream the event belongs to (its subject), when it names one. */
  primary?: string;
  entities: string[];
  relations: Relation[];
  /** Countries the event is about: where it happened, and the nationalities of the persons in it. */
  countries: string[];
}

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTRY = /^[A-Z]{2}$/;

/** Payload fields holding the id of a record of the sender's own. */
const ID_KINDS: Record<string, string> = {
  suspectId: 'suspect',
  syndicateId: 'syndicate',
  raidId: 'raid',
  rescueId: 'rescue',
  caseId: 'case',
  alertId: 'alert',
  crossingId: 'crossing',
  entryId: 'watch',
  expectationId: 'return',
};

/** Payload fields holding a reference to another agency's record (`{ agency, id }`). */
const REF_KINDS: Record<string, string> = { suspect: 'suspect', alert: 'alert', case: 'case', rescue: 'rescue', crossing: 'crossing' };

/** How a relation from the event's own record to another record reads. */
const RELATION_NAMES: Record<string, string> = {
  suspect: 'about suspect',
  syndicate: 'member of',
  raid: 'in raid',
  rescue: 'rescue',
  case: 'case',
  alert: 'alert',
  crossing: 'crossing',
  watch: 'watchlist entry',
  return: 'expected return',
  person: 'person',
};

export const ENTITY_KINDS = ['suspect', 'syndicate', 'raid', 'rescue', 'case', 'alert', 'crossing', 'watch', 'return', 'person'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export function entityKey(kind: string, agency: string, id: string): string {
  return `${kind}:${agency}:${id}`;
}

export function parseEntityKey(key: string): { kind: string; agency: string; id: string } | undefined {
  const match = /^([a-z]+):([a-z][a-z0-9]*(?:-[a-z0-9]+)*):([0-9a-f-]{36})$/i.exec(key);
  return match && UUID.test(match[3]) ? { kind: match[1], agency: match[2], id: match[3].toLowerCase() } : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The records, relations and countries of one event from `sender`. `personal` (the event type's
 * personal-data specs) names the record of each person part, also of parts shown in full, which
 * carry no pseudonym of their own.
 */
export function linksOf(sender: string, subject: string, data: unknown, personal: readonly PersonalDataSpec[] = []): EventLinks {
  const payload: Json = isObject(data) ? data : {};
  const entities = new Set<string>();
  const targets: { key: string; kind: string; matched: boolean }[] = [];

  const streamMatch = /^([a-z]+)-([0-9a-f-]{36})$/i.exec(subject);
  let primary = streamMatch && UUID.test(streamMatch[2]) ? entityKey(streamMatch[1], sender, streamMatch[2].toLowerCase()) : undefined;

  for (const [field, kind] of Object.entries(ID_KINDS)) {
    const id = payload[field];
    if (typeof id === 'string' && UUID.test(id)) targets.push({ key: entityKey(kind, sender, id.toLowerCase()), kind, matched: false });
  }
  for (const [field, kind] of Object.entries(REF_KINDS)) {
    const ref = payload[field];
    if (isObject(ref) && typeof ref.agency === 'string' && typeof ref.id === 'string' && UUID.test(ref.id) && /^[a-z][a-z0-9-]*$/.test(ref.agency)) {
      targets.push({ key: entityKey(kind, ref.agency, ref.id.toLowerCase()), kind, matched: true });
    }
  }
  const countries = new Set<string>();
  try {
    const personSpecs = personal.filter((spec) => (PERSON_KEYS as readonly string[]).includes(spec.at.replace(/\[\]$/, '')));
    forEachPersonalPart(payload, personSpecs, (_part, ref) => {
      if (UUID.test(ref)) targets.push({ key: entityKey('person', sender, ref.toLowerCase()), kind: 'person', matched: false });
    });
  } catch {
    // A part without the field naming its record: its pseudonym, if any, is read below.
  }
  for (const { part } of personParts(payload)) {
    if (!isObject(part)) continue;
    const ref = typeof part.ref === 'string' ? part.ref : typeof part.personId === 'string' ? part.personId : undefined;
    if (ref && UUID.test(ref)) targets.push({ key: entityKey('person', sender, ref.toLowerCase()), kind: 'person', matched: false });
    if (typeof part.nationality === 'string' && COUNTRY.test(part.nationality)) countries.add(part.nationality);
  }
  primary ??= targets.find((t) => !t.matched && t.kind !== 'person')?.key;
  if (primary) entities.add(primary);
  targets.forEach((t) => entities.add(t.key));

  const match = matchView(payload.match);
  const relations: Relation[] = [];
  if (primary) {
    const seen = new Set<string>();
    for (const target of targets) {
      if (target.key === primary || seen.has(target.key)) continue;
      seen.add(target.key);
      relations.push({
        from: primary,
        to: target.key,
        relation: target.matched && match ? 'matched' : (RELATION_NAMES[target.kind] ?? target.kind),
        ...(target.matched && match ? { match } : {}),
      });
    }
  }

  for (const field of ['country', 'lastKnownCountry']) {
    const value = payload[field];
    if (typeof value === 'string' && COUNTRY.test(value)) countries.add(value);
  }
  if (Array.isArray(payload.countries)) payload.countries.forEach((c) => typeof c === 'string' && COUNTRY.test(c) && countries.add(c));

  return { ...(primary ? { primary } : {}), entities: [...entities], relations, countries: [...countries].sort() };
}
