import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  Classification,
  EventDefinition,
  EventEnvelope,
  ForeignMinistry,
  Handling,
  Immigration,
  Police,
  agencySource,
  dataschemaFor,
  uuidv7,
} from '@interlink/contracts';
import { JsonLinesError, parseJsonLines, toJsonLines } from './jsonl';
import { StixBundle, identityId, intrusionSetId, stixTimestamp, threatActorId, toStixBundle } from './stix';
import { INTERLINK_STIX_NAMESPACE, stixId, uuidV5 } from './stix-ids';
import { TLP2_EXTENSION_ID, TLP2_MARKING_IDS, handlingMarkingId } from './stix-markings';
import { StixObject } from './stix-types';

// ---------------------------------------------------------------- schemas

const SCHEMA_DIR = join(__dirname, '../../test-data/stix');
const BASE = 'https://interlink.test/stix/2.1/';
const schemaFiles = readdirSync(SCHEMA_DIR).filter((file) => file.endsWith('.json'));
const schemaJson = Object.fromEntries(schemaFiles.map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'))]));

// strictRequired is off because the spec's "one of these properties" rules are anyOf branches
// that name properties defined beside them, which is standard JSON Schema.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
for (const schema of Object.values(schemaJson)) ajv.addSchema(schema);

function schemaFor(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${BASE}${name}.json`);
  if (!validate) throw new Error(`no schema ${name}.json in ${SCHEMA_DIR}`);
  return validate;
}

/**
 * The spec allows custom properties, so the schemas do too; the exporter defines none, so a
 * property the spec does not define would be a misspelling. The closed variant catches those.
 */
const closed = new Map<string, ValidateFunction>();
function closedSchemaFor(name: string): ValidateFunction {
  if (!closed.has(name)) closed.set(name, ajv.compile({ $ref: `${BASE}${name}.json`, type: 'object', unevaluatedProperties: false }));
  return closed.get(name)!;
}

function problems(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}

function vocabulary(schema: string, ...path: string[]): string[] {
  let node: unknown = schemaJson[schema];
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return (node as { examples: string[] }).examples;
}

// ---------------------------------------------------------------- events

const streamVersions = new Map<string, number>();
let clock = Date.parse('2024-03-01T08:00:00.000Z');

interface Marking {
  classification?: Classification;
  handling?: Handling[];
  releasableTo?: string[];
}

/** An envelope as the agency's event store would have written it. */
function event<D>(agency: string, definition: EventDefinition<D>, subject: string, data: D, marking: Marking = {}): EventEnvelope<D> {
  const streamversion = (streamVersions.get(subject) ?? 0) + 1;
  streamVersions.set(subject, streamversion);
  clock += 60 * 60 * 1000;
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: agencySource(agency),
    type: definition.type,
    dataschema: dataschemaFor(definition.type, definition.version),
    subject,
    time: new Date(clock).toISOString(),
    datacontenttype: 'application/json',
    data,
    streamversion,
    correlationid: uuidv7(),
    causationid: uuidv7(),
    actor: `${agency}/officer-7`,
    classification: marking.classification ?? 'AMBER',
    handling: (marking.handling ?? []).join(','),
    releasableto: (marking.releasableTo ?? ['immigration', 'foreign-ministry', 'audit']).join(','),
  };
}

const passport = (number: string, country: string) => ({ number, country });
const match = { reason: 'passport' as const, score: 0.97, explanation: 'Passport E1234567 (CN) is on both records.' };

/**
 * Police identify a syndicate and four suspects (one of whom is later cleared), change a role and
 * raid a compound; immigration raises alerts for one suspect, for a hand-added watchlist entry,
 * for a suspect this log does not know and for one whose alert is then dismissed; the ministry
 * records a victim; and one RED police event reaches the auditors as a stub without data.
 */
function history() {
  const ids = {
    syndicate: uuidv7(),
    chen: uuidv7(),
    siti: uuidv7(),
    lim: uuidv7(),
    ahmad: uuidv7(),
    raid: uuidv7(),
    chenAlert: uuidv7(),
    handAddedAlert: uuidv7(),
    strangerAlert: uuidv7(),
    sitiAlert: uuidv7(),
  };
  const travellerChen = { name: 'CHEN WEI', birthDate: '1979-11-02', nationality: 'CN', passport: passport('E1234567', 'CN') };
  const travellerSiti = { name: 'SITI AMINAH', birthDate: '1990-05-14', nationality: 'MY', passport: passport('A33445566', 'MY') };
  const alert = (alertId: string, traveller: typeof travellerChen, extra: Partial<Immigration.BorderAlertRaised>): Immigration.BorderAlertRaised => ({
    alertId,
    crossingId: uuidv7(),
    entryId: uuidv7(),
    traveller,
    direction: 'outbound',
    checkpoint: 'KLIA',
    crossedAt: '2024-03-05T09:15:00+08:00',
    match,
    ...extra,
  });

  const syndicate = event('police', Police.SyndicateIdentified, ids.syndicate, {
    syndicateId: ids.syndicate,
    name: 'Golden Lotus Network',
    scamTypes: ['job-scam', 'investment-scam'],
    countries: ['KH', 'MY'],
    places: ['Prince compound, Sihanoukville', 'call centre, Jalan Ipoh'],
  });
  const chen = event(
    'police',
    Police.SuspectIdentified,
    ids.chen,
    { suspectId: ids.chen, syndicateId: ids.syndicate, role: 'ringleader', person: { name: 'Chen Wei', aliases: ['Boss Chen', 'Ah Wei'], nationality: 'CN', passports: [passport('E1234567', 'CN')] } },
    { handling: ['law-enforcement-only'] },
  );
  const siti = event(
    'police',
    Police.SuspectIdentified,
    ids.siti,
    { suspectId: ids.siti, syndicateId: ids.syndicate, role: 'recruiter', person: { name: 'Siti Aminah', birthDate: '1990-05-14' } },
    { classification: 'AMBER+STRICT', handling: ['personal-data'] },
  );
  const lim = event('police', Police.SuspectIdentified, ids.lim, { suspectId: ids.lim, role: 'operator', person: { name: 'Lim Boon Huat', aliases: [] } }, { classification: 'GREEN' });
  const limRole = event('police', Police.SuspectRoleChanged, ids.lim, { suspectId: ids.lim, from: 'operator', to: 'sponsor', reason: 'finances the Jalan Ipoh call centre' });
  const ahmad = event('police', Police.SuspectIdentified, ids.ahmad, { suspectId: ids.ahmad, syndicateId: ids.syndicate, role: 'unknown', person: { name: 'Ahmad Faiz' } });
  const ahmadCleared = event('police', Police.SuspectCleared, ids.ahmad, { suspectId: ids.ahmad, clearedOn: '2024-03-09', reason: 'mistaken identity' });
  const raid = event(
    'police',
    Police.RaidConducted,
    ids.raid,
    { raidId: ids.raid, place: 'Prince compound', city: 'Sihanoukville', country: 'KH', conductedOn: '2024-03-07', partnerAgency: 'Cambodian National Police', syndicateId: ids.syndicate },
    { classification: 'GREEN' },
  );
  const rescue = event('police', Police.VictimsRescued, uuidv7(), {
    rescueId: uuidv7(),
    raidId: ids.raid,
    place: 'Prince compound',
    country: 'KH',
    rescuedOn: '2024-03-07',
    persons: [{ personId: uuidv7(), name: 'Nur Aisyah', nationality: 'MY' }],
  });
  const watchlist = event('immigration', Immigration.WatchlistEntryAdded, uuidv7(), {
    entryId: uuidv7(),
    person: { name: 'Chen Wei' },
    reason: 'police suspect',
    role: 'ringleader',
    suspect: { agency: 'police', id: ids.chen },
  });
  const crossing = event('immigration', Immigration.BorderCrossingRecorded, uuidv7(), {
    crossingId: uuidv7(),
    traveller: travellerChen,
    direction: 'outbound',
    checkpoint: 'KLIA',
    crossedAt: '2024-03-05T09:15:00+08:00',
  });
  const chenAlert = event(
    'immigration',
    Immigration.BorderAlertRaised,
    ids.chenAlert,
    alert(ids.chenAlert, travellerChen, { suspect: { agency: 'police', id: ids.chen, eventId: chen.id } }),
    { handling: ['personal-data'] },
  );
  const handAddedAlert = event('immigration', Immigration.BorderAlertRaised, ids.handAddedAlert, alert(ids.handAddedAlert, travellerChen, {}));
  const strangerAlert = event(
    'immigration',
    Immigration.BorderAlertRaised,
    ids.strangerAlert,
    alert(ids.strangerAlert, travellerChen, { suspect: { agency: 'police', id: uuidv7() } }),
  );
  const sitiAlert = event(
    'immigration',
    Immigration.BorderAlertRaised,
    ids.sitiAlert,
    alert(ids.sitiAlert, travellerSiti, { checkpoint: 'Bukit Kayu Hitam', direction: 'inbound', suspect: { agency: 'police', id: ids.siti } }),
  );
  const sitiDismissed = event('immigration', Immigration.BorderAlertDismissed, ids.sitiAlert, {
    alertId: ids.sitiAlert,
    suspect: { agency: 'police', id: ids.siti },
    reason: 'a namesake: different birth date on closer look',
  });
  const victim = event('foreign-ministry', ForeignMinistry.VictimReported, uuidv7(), {
    caseId: uuidv7(),
    person: { name: 'Nur Aisyah', nationality: 'MY' },
    reportedBy: 'relative',
    reportedOn: '2024-02-20',
  });
  const { data: _withheld, ...redEvent } = event('police', Police.SuspectArrested, ids.chen, { suspectId: ids.chen, arrestedOn: '2024-03-10', place: 'KLIA', country: 'MY' }, { classification: 'RED' });
  const redStub = { ...redEvent, datawithheld: 'RED' } as unknown as EventEnvelope;

  const log: EventEnvelope[] = [
    victim,
    syndicate,
    chen,
    siti,
    lim,
    watchlist,
    crossing,
    chenAlert,
    handAddedAlert,
    strangerAlert,
    limRole,
    ahmad,
    sitiAlert,
    sitiDismissed,
    raid,
    rescue,
    ahmadCleared,
    redStub,
  ];
  return { ids, log, events: { syndicate, chen, siti, lim, limRole, ahmad, ahmadCleared, raid, chenAlert, sitiAlert, sitiDismissed } };
}

// ---------------------------------------------------------------- bundle helpers

function objectsOf(bundle: StixBundle): StixObject[] {
  expect(bundle.objects).toBeDefined();
  return bundle.objects!;
}

function ofType<T extends StixObject['type']>(bundle: StixBundle, type: T): Extract<StixObject, { type: T }>[] {
  return objectsOf(bundle).filter((o): o is Extract<StixObject, { type: T }> => o.type === type);
}

function byId(bundle: StixBundle, id: string): StixObject {
  const found = objectsOf(bundle).find((o) => o.id === id);
  if (!found) throw new Error(`${id} is not in the bundle`);
  return found;
}

/** Every `*_ref` and `*_refs` value anywhere in an object. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => {
    if (key.endsWith('_ref') && typeof item === 'string') return [item];
    if (key.endsWith('_refs') && Array.isArray(item)) return item.filter((ref): ref is string => typeof ref === 'string');
    return referencesIn(item);
  });
}

const TLP_IDS = new Set(Object.values(TLP2_MARKING_IDS));

// ---------------------------------------------------------------- tests

describe('toStixBundle', () => {
  const { ids, log, events } = history();
  const bundle = toStixBundle(log, {});

  it('writes a bundle and objects that are valid against the STIX 2.1 schemas, with no property the spec does not define', () => {
    expect(problems(schemaFor('bundle'), bundle)).toEqual([]);
    const types = new Set(objectsOf(bundle).map((o) => o.type));
    expect([...types].sort()).toEqual(
      ['extension-definition', 'identity', 'intrusion-set', 'location', 'marking-definition', 'note', 'relationship', 'sighting', 'threat-actor'].sort(),
    );
    for (const object of objectsOf(bundle)) {
      expect({ id: object.id, problems: problems(schemaFor(object.type), object) }).toEqual({ id: object.id, problems: [] });
      expect({ id: object.id, problems: problems(closedSchemaFor(object.type), object) }).toEqual({ id: object.id, problems: [] });
    }
  });

  it('gives every agency that recorded an event an identity, including agencies with nothing else to export', () => {
    const identities = ofType(bundle, 'identity');
    expect(identities.map((i) => i.name)).toEqual(['foreign-ministry', 'police', 'immigration']);
    for (const identity of identities) {
      expect(identity.id).toBe(identityId(identity.name));
      expect(identity.identity_class).toBe('organization');
      expect(identity.sectors).toEqual(['government-public-services']);
      expect(identity.object_marking_refs).toEqual([TLP2_MARKING_IDS.CLEAR]);
    }
  });

  it('takes open-vocabulary values only from the vocabularies the spec suggests', () => {
    for (const identity of ofType(bundle, 'identity')) {
      expect(vocabulary('identity', 'properties', 'identity_class')).toContain(identity.identity_class);
      for (const sector of identity.sectors ?? []) expect(vocabulary('identity', 'properties', 'sectors', 'items')).toContain(sector);
    }
    for (const actor of ofType(bundle, 'threat-actor')) {
      for (const type of actor.threat_actor_types ?? []) expect(vocabulary('threat-actor', 'properties', 'threat_actor_types', 'items')).toContain(type);
      for (const role of actor.roles ?? []) expect(vocabulary('threat-actor', 'properties', 'roles', 'items')).toContain(role);
    }
  });

  it('marks every object it derived with the TLP label of its events and their handling, and names its agency as creator', () => {
    const derived = objectsOf(bundle).filter((o) => !['marking-definition', 'extension-definition', 'identity'].includes(o.type));
    expect(derived.length).toBeGreaterThan(0);
    for (const object of derived) {
      const refs = object.object_marking_refs ?? [];
      expect({ id: object.id, tlp: refs.filter((ref) => TLP_IDS.has(ref)).length }).toEqual({ id: object.id, tlp: 1 });
      expect(object.created_by_ref).toMatch(/^identity--/);
      expect(byId(bundle, object.created_by_ref!).type).toBe('identity');
    }
    const chen = byId(bundle, threatActorId('police', ids.chen));
    expect(chen.created_by_ref).toBe(identityId('police'));
    expect(chen.object_marking_refs).toEqual([TLP2_MARKING_IDS.AMBER, handlingMarkingId('law-enforcement-only')]);
    expect(byId(bundle, threatActorId('police', ids.siti)).object_marking_refs).toEqual([TLP2_MARKING_IDS['AMBER+STRICT'], handlingMarkingId('personal-data')]);
    const sighting = ofType(bundle, 'sighting').find((s) => s.sighting_of_ref === threatActorId('police', ids.chen))!;
    expect(sighting.created_by_ref).toBe(identityId('immigration'));
    expect(sighting.object_marking_refs).toEqual([TLP2_MARKING_IDS.AMBER, handlingMarkingId('personal-data')]);
    expect(byId(bundle, stixId('note', 'police', ids.raid)).object_marking_refs).toEqual([TLP2_MARKING_IDS.GREEN]);
  });

  it('includes exactly the marking definitions used: TLP 2.0 through its OASIS extension, AMBER+STRICT included, and handling statements', () => {
    const markings = ofType(bundle, 'marking-definition');
    const used = new Set(objectsOf(bundle).flatMap((o) => o.object_marking_refs ?? []));
    expect(new Set(markings.map((m) => m.id))).toEqual(used);
    expect(markings.filter((m) => TLP_IDS.has(m.id)).map((m) => m.name)).toEqual(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT']);
    const strict = markings.find((m) => m.name === 'TLP:AMBER+STRICT')!;
    expect(strict.id).toBe('marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003');
    expect(strict.extensions).toEqual({ [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'amber+strict' } });
    expect(ofType(bundle, 'extension-definition').map((e) => e.id)).toEqual([TLP2_EXTENSION_ID]);
    const statements = markings.filter((m) => m.definition_type === 'statement');
    expect(statements.map((m) => m.id).sort()).toEqual(['law-enforcement-only', 'personal-data'].map((h) => handlingMarkingId(h as Handling)).sort());
    for (const statement of statements) expect(statement.definition?.statement).toMatch(/^Interlink handling /);
  });

  it('maps a syndicate to an intrusion-set described by its scam types, countries and places', () => {
    const [set] = ofType(bundle, 'intrusion-set');
    expect(set).toMatchObject({
      id: intrusionSetId('police', ids.syndicate),
      name: 'Golden Lotus Network',
      created: events.syndicate.time,
      modified: events.syndicate.time,
      created_by_ref: identityId('police'),
    });
    expect(set.description).toBe(
      'Scam types: job-scam, investment-scam. Operates in or recruits from: KH, MY. Known places: Prince compound, Sihanoukville; call centre, Jalan Ipoh.',
    );
  });

  it('maps suspects to criminal threat-actors with their aliases and the nearest STIX role, folding later role changes in', () => {
    expect(byId(bundle, threatActorId('police', ids.chen))).toMatchObject({
      name: 'Chen Wei',
      aliases: ['Boss Chen', 'Ah Wei'],
      threat_actor_types: ['criminal'],
      roles: ['director'],
      created: events.chen.time,
      modified: events.chen.time,
      external_references: [{ source_name: 'interlink', external_id: events.chen.id, description: Police.SuspectIdentified.type }],
    });
    const lim = byId(bundle, threatActorId('police', ids.lim));
    expect(lim).toMatchObject({ roles: ['sponsor'], created: events.lim.time, modified: events.limRole.time });
    expect(lim).not.toHaveProperty('aliases');
    expect(lim.object_marking_refs).toEqual([TLP2_MARKING_IDS.AMBER]);
    expect(JSON.stringify(bundle)).not.toContain('E1234567');
    expect(JSON.stringify(bundle)).not.toContain('1990-05-14');
  });

  it('relates each syndicate member as the spec does: intrusion-set attributed-to threat-actor', () => {
    const relationships = ofType(bundle, 'relationship');
    expect(relationships.map((r) => r.target_ref).sort()).toEqual([threatActorId('police', ids.chen), threatActorId('police', ids.siti), threatActorId('police', ids.ahmad)].sort());
    for (const relationship of relationships) {
      expect(relationship.relationship_type).toBe('attributed-to');
      expect(relationship.source_ref).toBe(intrusionSetId('police', ids.syndicate));
    }
    const siti = relationships.find((r) => r.target_ref === threatActorId('police', ids.siti))!;
    expect(siti.object_marking_refs).toEqual(byId(bundle, threatActorId('police', ids.siti)).object_marking_refs);
  });

  it('revokes a cleared suspect and their membership rather than leaving them out', () => {
    const ahmad = byId(bundle, threatActorId('police', ids.ahmad));
    expect(ahmad).toMatchObject({ revoked: true, created: events.ahmad.time, modified: events.ahmadCleared.time });
    expect(ahmad).not.toHaveProperty('roles');
    const membership = ofType(bundle, 'relationship').find((r) => r.target_ref === ahmad.id)!;
    expect(membership).toMatchObject({ revoked: true, modified: events.ahmadCleared.time });
    expect(ofType(bundle, 'threat-actor').filter((a) => a.revoked).map((a) => a.id)).toEqual([ahmad.id]);
  });

  it("turns a border alert on a police suspect into a sighting of that suspect's threat-actor, seen by immigration", () => {
    const sighting = byId(bundle, stixId('sighting', 'immigration', ids.chenAlert));
    expect(sighting).toMatchObject({
      type: 'sighting',
      sighting_of_ref: threatActorId('police', ids.chen),
      where_sighted_refs: [identityId('immigration')],
      first_seen: '2024-03-05T01:15:00.000Z',
      last_seen: '2024-03-05T01:15:00.000Z',
      count: 1,
      confidence: 97,
      description: 'Border alert at KLIA (outbound): watchlist match by passport, score 0.97.',
      created: events.chenAlert.time,
    });
  });

  it('emits a sighting only when its threat-actor is in the bundle, and revokes one whose alert was dismissed', () => {
    expect(ofType(bundle, 'sighting').map((s) => s.id).sort()).toEqual(
      [stixId('sighting', 'immigration', ids.chenAlert), stixId('sighting', 'immigration', ids.sitiAlert)].sort(),
    );
    expect(byId(bundle, stixId('sighting', 'immigration', ids.sitiAlert))).toMatchObject({
      revoked: true,
      sighting_of_ref: threatActorId('police', ids.siti),
      modified: events.sitiDismissed.time,
      first_seen: '2024-03-05T01:15:00.000Z',
    });
    const immigrationOnly = toStixBundle(log.filter((e) => e.source === agencySource('immigration')), {});
    expect(ofType(immigrationOnly, 'sighting')).toEqual([]);
    expect(ofType(immigrationOnly, 'threat-actor')).toEqual([]);
  });

  it('exports a raid as its location and a note about both the location and the syndicate', () => {
    const location = byId(bundle, stixId('location', 'police', ids.raid));
    expect(location).toMatchObject({ type: 'location', name: 'Prince compound', city: 'Sihanoukville', country: 'KH' });
    expect(byId(bundle, stixId('note', 'police', ids.raid))).toMatchObject({
      type: 'note',
      abstract: 'Raid on Prince compound',
      content: 'Police raid on Prince compound, Sihanoukville, KH on 2024-03-07 with Cambodian National Police.',
      object_refs: [location.id, intrusionSetId('police', ids.syndicate)],
    });
  });

  it('draws only on the mapped events: no victims, crossings, watchlist entries, unmatched alerts or withheld events', () => {
    const drawnOn = new Set(objectsOf(bundle).flatMap((o) => (o.external_references ?? []).map((ref) => ref.external_id)));
    const mapped = [events.syndicate, events.chen, events.siti, events.lim, events.limRole, events.ahmad, events.ahmadCleared, events.raid, events.chenAlert, events.sitiAlert, events.sitiDismissed];
    expect([...drawnOn].sort()).toEqual(mapped.map((e) => e.id).sort());
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('Nur Aisyah');
    expect(text).not.toContain('CHEN WEI');
  });

  it('leaves no reference dangling, except the creator of the published TLP 2.0 extension definition', () => {
    const present = new Set(objectsOf(bundle).map((o) => o.id));
    for (const object of objectsOf(bundle)) {
      if (object.id === TLP2_EXTENSION_ID) continue;
      const dangling = referencesIn(object).filter((ref) => !present.has(ref));
      expect({ id: object.id, dangling }).toEqual({ id: object.id, dangling: [] });
    }
    const extensionKeys = objectsOf(bundle).flatMap((o) => Object.keys(o.extensions ?? {}));
    for (const key of extensionKeys) expect(present.has(key)).toBe(true);
  });

  it('writes STIX timestamps: UTC, millisecond precision, whatever offset the event used', () => {
    expect(stixTimestamp('2024-03-05T09:15:00+08:00')).toBe('2024-03-05T01:15:00.000Z');
    expect(stixTimestamp('2024-03-05T01:15:00.123456Z')).toBe('2024-03-05T01:15:00.123Z');
    expect(() => stixTimestamp('5 March 2024')).toThrow('"5 March 2024" is not an RFC 3339 timestamp');
  });
});

describe('STIX ids', () => {
  it('derives UUIDs by RFC 4122 version 5 (the RFC example: www.example.com in the DNS namespace)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('does not use the namespace STIX reserves for cyber-observable ids', () => {
    expect(INTERLINK_STIX_NAMESPACE).not.toBe('00abedb4-aa42-466c-9c01-fed23315a9b7');
    expect(stixId('threat-actor', 'police', 'x')).toMatch(/^threat-actor--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives the same objects the same ids in every export, and only the bundle a new one', () => {
    const { log } = history();
    const first = toStixBundle(log, {});
    const second = toStixBundle(log, {});
    expect(second.id).not.toBe(first.id);
    expect(second.objects).toEqual(first.objects);
  });

  it('gives a byte-identical bundle when exported as of the same moment', () => {
    const { log } = history();
    const now = '2024-04-01T00:00:00.000Z';
    expect(JSON.stringify(toStixBundle(log, { now }))).toBe(JSON.stringify(toStixBundle(log, { now })));
    expect(toStixBundle(log, { now }).id).not.toBe(toStixBundle(log, { now: '2024-04-02T00:00:00.000Z' }).id);
  });

  it("names a suspect's threat-actor the same in any export, so another agency's sighting finds it", () => {
    const { ids, log } = history();
    const policeOnly = toStixBundle(log.filter((e) => e.source === agencySource('police')), {});
    expect(byId(policeOnly, threatActorId('police', ids.chen)).type).toBe('threat-actor');
    expect(ofType(toStixBundle(log, {}), 'sighting').map((s) => s.sighting_of_ref)).toContain(threatActorId('police', ids.chen));
  });
});

describe('toStixBundle edge cases', () => {
  it.each([
    ['sponsor', ['sponsor']],
    ['ringleader', ['director']],
    ['recruiter', ['agent']],
    ['operator', ['agent']],
    ['money-mule', ['agent']],
    ['unknown', undefined],
  ] as const)('maps the suspect role %s to the threat-actor roles %j', (role, roles) => {
    const suspectId = uuidv7();
    const bundle = toStixBundle([event('police', Police.SuspectIdentified, suspectId, { suspectId, role, person: { name: 'Tan Ah Kow' } })], {});
    const [actor] = ofType(bundle, 'threat-actor');
    expect(actor.id).toBe(threatActorId('police', suspectId));
    expect(actor.roles).toEqual(roles);
  });

  it('writes a bundle without objects for an empty log, as STIX forbids empty lists', () => {
    const bundle = toStixBundle([], {});
    expect(bundle).not.toHaveProperty('objects');
    expect(problems(schemaFor('bundle'), bundle)).toEqual([]);
  });

  it('refuses an event whose payload breaks its contract, naming the event', () => {
    const suspectId = uuidv7();
    const broken = event('police', Police.SuspectIdentified, suspectId, { suspectId, role: 'boss', person: { name: 'X' } } as unknown as Police.SuspectIdentified);
    expect(() => toStixBundle([broken], {})).toThrow(`event ${broken.id} (intel.police.suspect-identified) cannot be exported`);
  });

  it('refuses a handling code it cannot carry into the export rather than dropping it', () => {
    const suspectId = uuidv7();
    const unknownHandling = { ...event('police', Police.SuspectIdentified, suspectId, { suspectId, role: 'operator', person: { name: 'X' } }), handling: 'eyes-only' };
    expect(() => toStixBundle([unknownHandling], {})).toThrow();
  });
});

describe('the STIX schemas', () => {
  const { log, ids } = history();
  const bundle = toStixBundle(log, {});
  const sighting = byId(bundle, stixId('sighting', 'immigration', ids.chenAlert));
  const location = byId(bundle, stixId('location', 'police', ids.raid));
  const actor = byId(bundle, threatActorId('police', ids.chen));
  const relationship = ofType(bundle, 'relationship')[0];
  const statement = ofType(bundle, 'marking-definition').find((m) => m.definition_type === 'statement')!;
  const tlp = ofType(bundle, 'marking-definition').find((m) => m.name === 'TLP:AMBER')!;
  const [extension] = ofType(bundle, 'extension-definition');
  const without = (object: object, key: string) => Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));

  it.each<[string, string, object]>([
    ['a location with neither region, country nor coordinates', 'location', without(location, 'country')],
    ['a latitude without a longitude', 'location', { ...location, latitude: 3.1 }],
    ['a sighting counted past 999 999 999', 'sighting', { ...sighting, count: 1_000_000_000 }],
    ['a sighting where_sighted by a threat-actor', 'sighting', { ...sighting, where_sighted_refs: [actor.id] }],
    ['a sighting of a relationship', 'sighting', { ...sighting, sighting_of_ref: relationship.id }],
    ['created without milliseconds', 'threat-actor', { ...actor, created: '2024-03-01T09:00:00Z' }],
    ['a timestamp with an offset', 'sighting', { ...sighting, first_seen: '2024-03-05T09:15:00+08:00' }],
    ['an empty list', 'threat-actor', { ...actor, aliases: [] }],
    ['spec_version 2.0', 'threat-actor', { ...actor, spec_version: '2.0' }],
    ['an id of another type', 'threat-actor', { ...actor, id: relationship.id }],
    ['an id whose UUID is not RFC 4122', 'threat-actor', { ...actor, id: 'threat-actor--3b243ed7-52bb-0224-b64b-5531e965ff31' }],
    ['created_by_ref naming a threat-actor', 'sighting', { ...sighting, created_by_ref: actor.id }],
    ['a marking ref that is not a marking definition', 'threat-actor', { ...actor, object_marking_refs: [actor.id] }],
    ['no modified', 'threat-actor', without(actor, 'modified')],
    ['no name', 'threat-actor', without(actor, 'name')],
    ['a confidence over 100', 'sighting', { ...sighting, confidence: 101 }],
    ['an upper-case property name', 'threat-actor', { ...actor, Name: 'x' }],
    ['an external reference with only a source name', 'threat-actor', { ...actor, external_references: [{ source_name: 'interlink' }] }],
    ['a relationship type with capitals', 'relationship', { ...relationship, relationship_type: 'Attributed-To' }],
    ['a relationship from a marking definition', 'relationship', { ...relationship, source_ref: tlp.id }],
    ['a statement marking without its statement', 'marking-definition', { ...statement, definition: {} }],
    ['a marking without extensions or definition', 'marking-definition', without(tlp, 'extensions')],
    ['an unknown TLP 2.0 label', 'marking-definition', { ...tlp, extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'amber-strict' } } }],
    ['a TLP 1.0 marking with a TLP 2.0 label', 'marking-definition', { ...without(tlp, 'extensions'), definition_type: 'tlp', definition: { tlp: 'clear' } }],
    ['extension properties on a property extension', 'extension-definition', { ...extension, extension_properties: ['x_interlink_case'] }],
    ['an extension type outside the enumeration', 'extension-definition', { ...extension, extension_types: ['new-smo'] }],
    ['a bundle with an empty object list', 'bundle', { type: 'bundle', id: bundle.id, objects: [] }],
    ['a bundle holding an invalid object', 'bundle', { type: 'bundle', id: bundle.id, objects: [without(actor, 'name')] }],
  ])('reject %s', (_what, schema, value) => {
    expect(problems(schemaFor(schema), value)).not.toEqual([]);
  });

  it.each<[string, string, object]>([
    ['a role outside the suggested vocabulary (open vocabularies stay open)', 'threat-actor', { ...actor, roles: ['money-launderer'] }],
    ['a custom property', 'threat-actor', { ...actor, x_interlink_case: 'K-17' }],
    ['a location by region only', 'location', { ...without(location, 'country'), region: 'south-eastern-asia' }],
    ['a TLP 1.0 marking as the spec defines it', 'marking-definition', { ...without(tlp, 'extensions'), definition_type: 'tlp', definition: { tlp: 'amber' } }],
    ['a sighting count of zero', 'sighting', { ...sighting, count: 0 }],
    ['extension properties on a toplevel property extension', 'extension-definition', { ...extension, extension_types: ['toplevel-property-extension'], extension_properties: ['x_interlink_case'] }],
    ['a timestamp without fractional seconds outside created and modified', 'sighting', { ...sighting, first_seen: '2024-03-05T01:15:00Z' }],
  ])('accept %s', (_what, schema, value) => {
    expect(problems(schemaFor(schema), value)).toEqual([]);
  });
});

describe('JSON Lines', () => {
  const { log } = history();

  it('round-trips an agency log, withheld stubs included', () => {
    const text = toJsonLines(log);
    expect(parseJsonLines(text)).toEqual(log);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(log.length + 1);
  });

  it('writes each event as one JSON object with its keys in canonical order at every level', () => {
    const [first] = log;
    const line = toJsonLines([first]).trimEnd();
    const reordered = Object.fromEntries(Object.entries(first).reverse()) as unknown as EventEnvelope;
    expect(toJsonLines([reordered]).trimEnd()).toBe(line);
    expect(line.startsWith('{"actor":')).toBe(true);
    const sortedEverywhere = (value: unknown): boolean =>
      Array.isArray(value)
        ? value.every(sortedEverywhere)
        : value === null || typeof value !== 'object'
          ? true
          : Object.keys(value).join() === Object.keys(value).sort().join() && Object.values(value).every(sortedEverywhere);
    expect(sortedEverywhere(JSON.parse(line))).toBe(true);
  });

  it('orders integer-like keys as text, where JSON.stringify of a sorted object would not', () => {
    const odd = { ...log[1], data: { '10': 'a', '9': 'b', b: { '2': 1, a: 2 } } } as EventEnvelope;
    expect(toJsonLines([odd])).toContain('"data":{"10":"a","9":"b","b":{"2":1,"a":2}}');
  });

  it('reads an empty export as no events, and accepts CRLF and a missing final newline', () => {
    expect(toJsonLines([])).toBe('');
    expect(parseJsonLines('')).toEqual([]);
    const [a, b] = log;
    expect(parseJsonLines(toJsonLines([a, b]).replace(/\n/g, '\r\n').trimEnd())).toEqual([a, b]);
  });

  it('names the line of a malformed line', () => {
    const lines = toJsonLines(log.slice(0, 4)).split('\n');
    lines[2] = lines[2].slice(0, 40);
    let error: unknown;
    try {
      parseJsonLines(lines.join('\n'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonLinesError);
    expect((error as JsonLinesError).line).toBe(3);
    expect((error as JsonLinesError).message).toMatch(/^line 3: is not valid JSON/);
  });

  it('names the line and the field of a line that is JSON but not an event', () => {
    const { time: _time, ...timeless } = log[1];
    const text = toJsonLines([log[0]]) + JSON.stringify(timeless) + '\n';
    expect(() => parseJsonLines(text)).toThrow(`line 2: is not an event envelope: (root) must have required property 'time'`);
    expect(() => parseJsonLines(`${toJsonLines([log[0]])}[1,2]\n`)).toThrow('line 2: is not an event envelope: (root) must be object');
    expect(() => parseJsonLines(`${toJsonLines([{ ...log[0], colour: 'red' } as EventEnvelope])}`)).toThrow('line 1: is not an event envelope: (root) has an unknown field "colour"');
  });

  it('refuses a blank line between events, naming it', () => {
    const [a, b] = log;
    expect(() => parseJsonLines(`${toJsonLines([a])}\n${toJsonLines([b])}`)).toThrow('line 2: is empty; every line must hold one event');
  });
});
