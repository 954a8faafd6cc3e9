import { randomUUID } from 'node:crypto';
import { Classification, EventEnvelope, HANDLING, Handling, Immigration, Police, TLP, agencyOfSource, interlinkRegistry, isWithheldPart, listAttribute } from '@interlink/contracts';
import { INTERLINK_STIX_NAMESPACE, stixId, uuidV5 } from './stix-ids';
import { PROFILE_EPOCH, TLP2_EXTENSION_DEFINITION, TLP2_MARKING_IDS, handlingMarking, handlingMarkingId, isHandling, tlpMarking } from './stix-markings';
import {
  StixBundle,
  StixExternalReference,
  StixIdentity,
  StixIntrusionSet,
  StixLocation,
  StixNote,
  StixObject,
  StixRelationship,
  StixSighting,
  StixThreatActor,
} from './stix-types';

export type { StixBundle, StixObject } from './stix-types';

export interface StixExportOptions {
  /**
   * The moment of the export. When given, the bundle id is derived from it and the exported event
   * ids, so exporting the same events as of the same moment gives a byte-identical bundle (one that
   * can be hashed, signed or kept as a golden file); without it the bundle id is random.
   */
  now?: string;
}

/*
 * Mapping (one STIX object per Interlink record, with a name-based id so repeated exports agree):
 *   police syndicate-identified      -> intrusion-set
 *   police suspect-identified        -> threat-actor, plus `intrusion-set attributed-to threat-actor`
 *                                       when the suspect belongs to a syndicate in the bundle
 *   police suspect-role-changed      -> a later version of the threat-actor (new roles)
 *   police suspect-cleared           -> a later version of the threat-actor (and membership), revoked
 *   immigration border-alert-raised  -> sighting of the suspect's threat-actor
 *   immigration border-alert-dismissed -> a later version of the sighting, revoked
 *   police raid-conducted            -> location of the raid, and a note about it
 * Everything else is left out: victims' data (rescues, victim cases, returns) must not travel as
 * threat intelligence, police `suspect-sighted` repeats immigration's alert, and the remaining
 * events (watchlist, crossings, arrests, charges) have no STIX object that would say more than
 * the ones above.
 *
 * An object built from several events (a suspect whose role changed) is their latest state, with
 * `created` from the first and `modified` from the last; it carries the most restrictive TLP label
 * and every handling condition among them, because it discloses what each of them said.
 *
 * Later retractions revoke rather than drop: a consumer that imported an earlier export holds the
 * older version, and only a revoked version with a later `modified` tells it that it no longer holds.
 *
 * Every reference points at an object in the same bundle. STIX allows dangling references, but a
 * sighting or membership whose target is missing is useless to the reader, and inventing a stub
 * target is worse: it would carry the suspect's id while being authored from another agency's
 * event, and STIX treats objects sharing an id as versions of one object that only its creator may
 * revise, so a consumer merging two exports could let the stub replace the real threat-actor.
 */

const registry = interlinkRegistry();

/** Interlink suspect roles in STIX's threat-actor-role vocabulary; `unknown` says nothing. */
const THREAT_ACTOR_ROLES: Readonly<Record<Police.SuspectRole, string | undefined>> = Object.freeze({
  sponsor: 'sponsor',
  ringleader: 'director',
  recruiter: 'agent',
  operator: 'agent',
  'money-mule': 'agent',
  unknown: undefined,
});

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with any offset -> STIX's UTC form with exactly three fractional digits. */
export function stixTimestamp(value: string): string {
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not an RFC 3339 timestamp`);
  return new Date(ms).toISOString();
}

export function identityId(agency: string): string {
  return stixId('identity', agency);
}

/** The threat-actor of a police suspect: derivable from the `AgencyRef` any other agency holds. */
export function threatActorId(agency: string, suspectId: string): string {
  return stixId('threat-actor', agency, suspectId);
}

export function intrusionSetId(agency: string, syndicateId: string): string {
  return stixId('intrusion-set', agency, syndicateId);
}

/** The events an object was built from, and what follows from them. */
class Provenance {
  readonly events: EventEnvelope[] = [];
  classification: Classification = 'CLEAR';
  readonly handling = new Set<Handling>();
  created = '';
  modified = '';

  constructor(readonly agency: string) {}

  add(event: EventEnvelope): this {
    const time = stixTimestamp(event.time);
    if (this.events.length === 0) this.created = this.modified = time;
    else if (time > this.modified) this.modified = time;
    this.events.push(event);
    if (TLP.indexOf(event.classification) > TLP.indexOf(this.classification)) this.classification = event.classification;
    for (const code of listAttribute(event.handling)) {
      // A handling code dropped here would silently loosen the owner's conditions on the export.
      if (!isHandling(code)) throw new Error(`event ${event.id} has handling "${code}", which the exporter cannot represent`);
      this.handling.add(code);
    }
    return this;
  }

  common() {
    return {
      spec_version: '2.1' as const,
      created: this.created,
      modified: this.modified,
      created_by_ref: identityId(this.agency),
      object_marking_refs: [TLP2_MARKING_IDS[this.classification], ...HANDLING.filter((code) => this.handling.has(code)).map(handlingMarkingId)],
      external_references: this.events.map((event): StixExternalReference => ({ source_name: 'interlink', external_id: event.id, description: event.type })),
    };
  }
}

interface Syndicate {
  prov: Provenance;
  data: Police.SyndicateIdentified;
}
interface Suspect {
  prov: Provenance;
  /** Identification and clearance only: a role change says nothing about membership. */
  membership: Provenance;
  data: Police.SuspectIdentified;
  role: Police.SuspectRole;
  cleared: boolean;
}
interface Alert {
  prov: Provenance;
  data: Immigration.BorderAlertRaised;
  dismissed: boolean;
}
interface Raid {
  prov: Provenance;
  data: Police.RaidConducted;
}

/** Auditors receive RED events as stubs whose payload stayed with the owner: nothing to map. */
function isWithheld(envelope: EventEnvelope): boolean {
  const attributes = envelope as unknown as Record<string, unknown>;
  return attributes.datawithheld !== undefined || attributes.data === undefined;
}

function payload<D>(envelope: EventEnvelope): D {
  try {
    return registry.upcast<D>(envelope).data;
  } catch (error) {
    throw new Error(`event ${envelope.id} (${envelope.type}) cannot be exported: ${(error as Error).message}`);
  }
}

/**
 * A STIX 2.1 bundle of what `envelopes` (an agency log, verified, in order) say about syndicates,
 * suspects, their sightings at the border and raids. Pure: the same events give the same objects.
 */
export function toStixBundle(envelopes: EventEnvelope[], options: StixExportOptions = {}): StixBundle {
  const agencies: string[] = [];
  const syndicates = new Map<string, Syndicate>();
  const suspects = new Map<string, Suspect>();
  const alerts = new Map<string, Alert>();
  const raids = new Map<string, Raid>();

  for (const envelope of envelopes) {
    const agency = agencyOfSource(envelope.source);
    if (!agency) throw new Error(`event ${envelope.id}: source "${envelope.source}" is not an agency's`);
    if (!agencies.includes(agency)) agencies.push(agency);
    if (isWithheld(envelope)) continue;

    switch (envelope.type) {
      case Police.SyndicateIdentified.type: {
        const data = payload<Police.SyndicateIdentified>(envelope);
        const id = intrusionSetId(agency, data.syndicateId);
        const known = syndicates.get(id);
        syndicates.set(id, { prov: (known?.prov ?? new Provenance(agency)).add(envelope), data });
        break;
      }
      case Police.SuspectIdentified.type: {
        const data = payload<Police.SuspectIdentified>(envelope);
        const id = threatActorId(agency, data.suspectId);
        const known = suspects.get(id);
        suspects.set(id, {
          prov: (known?.prov ?? new Provenance(agency)).add(envelope),
          membership: (known?.membership ?? new Provenance(agency)).add(envelope),
          data,
          role: data.role,
          cleared: known?.cleared ?? false,
        });
        break;
      }
      case Police.SuspectRoleChanged.type: {
        const data = payload<Police.SuspectRoleChanged>(envelope);
        const suspect = suspects.get(threatActorId(agency, data.suspectId));
        if (suspect) {
          suspect.prov.add(envelope);
          suspect.role = data.to;
        }
        break;
      }
      case Police.SuspectCleared.type: {
        const data = payload<Police.SuspectCleared>(envelope);
        const suspect = suspects.get(threatActorId(agency, data.suspectId));
        if (suspect) {
          suspect.prov.add(envelope);
          suspect.membership.add(envelope);
          suspect.cleared = true;
        }
        break;
      }
      case Immigration.BorderAlertRaised.type: {
        const data = payload<Immigration.BorderAlertRaised>(envelope);
        const id = stixId('sighting', agency, data.alertId);
        const known = alerts.get(id);
        alerts.set(id, { prov: (known?.prov ?? new Provenance(agency)).add(envelope), data, dismissed: known?.dismissed ?? false });
        break;
      }
      case Immigration.BorderAlertDismissed.type: {
        const data = payload<Immigration.BorderAlertDismissed>(envelope);
        const alert = alerts.get(stixId('sighting', agency, data.alertId));
        if (alert) {
          alert.prov.add(envelope);
          alert.dismissed = true;
        }
        break;
      }
      case Police.RaidConducted.type: {
        const data = payload<Police.RaidConducted>(envelope);
        const id = stixId('note', agency, data.raidId);
        const known = raids.get(id);
        raids.set(id, { prov: (known?.prov ?? new Provenance(agency)).add(envelope), data });
        break;
      }
    }
  }

  const domain: StixObject[] = [];
  for (const [id, { prov, data }] of syndicates) domain.push(intrusionSet(id, prov, data));
  for (const [id, suspect] of suspects) domain.push(threatActor(id, suspect));
  for (const [id, suspect] of suspects) {
    const { syndicateId } = suspect.data;
    if (syndicateId !== undefined && syndicates.has(intrusionSetId(suspect.prov.agency, syndicateId))) {
      domain.push(membership(syndicateId, id, suspect));
    }
  }
  for (const [id, alert] of alerts) {
    const suspect = alert.data.suspect;
    const target = suspect === undefined ? undefined : threatActorId(suspect.agency, suspect.id);
    if (target !== undefined && suspects.has(target)) domain.push(sighting(id, target, alert));
  }
  for (const [noteId, { prov, data }] of raids) {
    const location = raidLocation(prov, data);
    const syndicate = data.syndicateId === undefined ? undefined : intrusionSetId(prov.agency, data.syndicateId);
    domain.push(location, raidNote(noteId, prov, data, [location.id, ...(syndicate !== undefined && syndicates.has(syndicate) ? [syndicate] : [])]));
  }

  const identities = agencies.map(identity);
  const objects: StixObject[] = [...markingsFor([...identities, ...domain]), ...identities, ...domain];
  const uuid =
    options.now === undefined
      ? randomUUID()
      : uuidV5(INTERLINK_STIX_NAMESPACE, ['bundle', stixTimestamp(options.now), ...envelopes.map((e) => e.id)].join('/'));
  return objects.length > 0 ? { type: 'bundle', id: `bundle--${uuid}`, objects } : { type: 'bundle', id: `bundle--${uuid}` };
}

/** The marking definitions `objects` refer to, TLP first; the TLP 2.0 extension when any TLP is. */
function markingsFor(objects: StixObject[]): StixObject[] {
  const used = new Set(objects.flatMap((o) => o.object_marking_refs ?? []));
  const tlp = TLP.filter((label) => used.has(TLP2_MARKING_IDS[label])).map(tlpMarking);
  const handling = HANDLING.filter((code) => used.has(handlingMarkingId(code))).map(handlingMarking);
  return [...(tlp.length > 0 ? [structuredClone(TLP2_EXTENSION_DEFINITION)] : []), ...tlp, ...handling];
}

/**
 * An agency's identity says no more than its Interlink id, which every partner already knows, so
 * it is TLP:CLEAR whatever the agency's events are: a consumer filtering by label never loses the
 * identity its other objects name as their creator.
 */
function identity(agency: string): StixIdentity {
  const id = identityId(agency);
  return {
    type: 'identity',
    id,
    spec_version: '2.1',
    created: PROFILE_EPOCH,
    modified: PROFILE_EPOCH,
    created_by_ref: id,
    object_marking_refs: [TLP2_MARKING_IDS.CLEAR],
    name: agency,
    identity_class: 'organization',
    sectors: ['government-public-services'],
  };
}

function intrusionSet(id: string, prov: Provenance, data: Police.SyndicateIdentified): StixIntrusionSet {
  const places = data.places.length > 0 ? ` Known places: ${data.places.join('; ')}.` : '';
  return {
    type: 'intrusion-set',
    id,
    ...prov.common(),
    name: data.name,
    description: `Scam types: ${data.scamTypes.join(', ')}. Operates in or recruits from: ${data.countries.join(', ')}.${places}`,
  };
}

/**
 * Name and aliases identify the person; birth date, nationality and passports stay in Interlink,
 * as STIX has no place for them that consumers would protect as personal data.
 */
function threatActor(id: string, suspect: Suspect): StixThreatActor {
  const { person } = suspect.data;
  const role = THREAT_ACTOR_ROLES[suspect.role];
  return {
    type: 'threat-actor',
    id,
    ...suspect.prov.common(),
    ...(suspect.cleared ? { revoked: true } : {}),
    // An erased (or redacted) person is named by their pseudonymous record id only.
    name: isWithheldPart(person) ? `Suspect ${person.ref} (personal data ${person.withheld})` : person.name,
    ...(!isWithheldPart(person) && person.aliases && person.aliases.length > 0 ? { aliases: [...person.aliases] } : {}),
    threat_actor_types: ['criminal'],
    ...(role ? { roles: [role] } : {}),
    description: `Interlink suspect role: ${suspect.role}.${suspect.cleared ? ' Cleared: no longer a suspect.' : ''}`,
  };
}

/**
 * Membership as STIX 2.1 defines it: `intrusion-set attributed-to threat-actor` ("the intrusion
 * set is attributed to the threat actor") is the spec's relationship between the two; a
 * threat-actor-to-intrusion-set `attributed-to` is not, and consumers would not interpret it.
 */
function membership(syndicateId: string, threatActor: string, suspect: Suspect): StixRelationship {
  const agency = suspect.prov.agency;
  return {
    type: 'relationship',
    id: stixId('relationship', agency, suspect.data.suspectId, 'attributed-to', syndicateId),
    ...suspect.membership.common(),
    ...(suspect.cleared ? { revoked: true } : {}),
    relationship_type: 'attributed-to',
    source_ref: intrusionSetId(agency, syndicateId),
    target_ref: threatActor,
    description: 'Syndicate membership recorded when police identified the suspect.',
  };
}

/**
 * Where: the agency that saw the traveller. The checkpoint goes into the description only: a STIX
 * location needs a region, a country or coordinates, and an alert names none of them.
 * The match explanation stays out, as it quotes passport numbers and names.
 */
function sighting(id: string, target: string, alert: Alert): StixSighting {
  const { data, prov } = alert;
  const seen = stixTimestamp(data.crossedAt);
  return {
    type: 'sighting',
    id,
    ...prov.common(),
    ...(alert.dismissed ? { revoked: true } : {}),
    confidence: Math.round(data.match.score * 100),
    sighting_of_ref: target,
    where_sighted_refs: [identityId(prov.agency)],
    first_seen: seen,
    last_seen: seen,
    count: 1,
    description:
      `Border alert at ${data.checkpoint} (${data.direction}): watchlist match by ${data.match.reason}, score ${data.match.score}.` +
      (alert.dismissed ? ' Dismissed: the traveller was not the suspect.' : ''),
  };
}

function raidLocation(prov: Provenance, data: Police.RaidConducted): StixLocation {
  return {
    type: 'location',
    id: stixId('location', prov.agency, data.raidId),
    ...prov.common(),
    name: data.place,
    ...(data.city ? { city: data.city } : {}),
    country: data.country,
  };
}

function raidNote(id: string, prov: Provenance, data: Police.RaidConducted, refs: string[]): StixNote {
  const where = [data.place, data.city, data.country].filter((part) => part !== undefined).join(', ');
  const partner = data.partnerAgency ? ` with ${data.partnerAgency}` : '';
  return {
    type: 'note',
    id,
    ...prov.common(),
    abstract: `Raid on ${data.place}`,
    content: `Police raid on ${where} on ${data.conductedOn}${partner}.`,
    object_refs: refs,
  };
}
