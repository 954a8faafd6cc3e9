/** The STIX 2.1 objects the exporter writes, with only the properties it uses. */

export interface StixExternalReference {
  source_name: string;
  description?: string;
  external_id?: string;
  url?: string;
}

interface StixCommon {
  spec_version: '2.1';
  id: string;
  created: string;
  created_by_ref?: string;
  object_marking_refs?: string[];
  external_references?: StixExternalReference[];
  extensions?: Record<string, Record<string, unknown>>;
}

/** Domain, relationship and versioned meta objects: `modified` says which version this is. */
interface StixVersioned extends StixCommon {
  modified: string;
  revoked?: boolean;
  confidence?: number;
}

export interface StixIdentity extends StixVersioned {
  type: 'identity';
  name: string;
  identity_class?: string;
  sectors?: string[];
}

export interface StixMarkingDefinition extends StixCommon {
  type: 'marking-definition';
  name?: string;
  definition_type?: 'statement';
  definition?: { statement: string };
}

export interface StixExtensionDefinition extends StixVersioned {
  type: 'extension-definition';
  name: string;
  description?: string;
  schema: string;
  version: string;
  extension_types: string[];
}

export interface StixThreatActor extends StixVersioned {
  type: 'threat-actor';
  name: string;
  description?: string;
  aliases?: string[];
  threat_actor_types?: string[];
  roles?: string[];
}

export interface StixIntrusionSet extends StixVersioned {
  type: 'intrusion-set';
  name: string;
  description?: string;
}

export interface StixRelationship extends StixVersioned {
  type: 'relationship';
  relationship_type: string;
  source_ref: string;
  target_ref: string;
  description?: string;
}

export interface StixSighting extends StixVersioned {
  type: 'sighting';
  sighting_of_ref: string;
  where_sighted_refs?: string[];
  first_seen?: string;
  last_seen?: string;
  count?: number;
  description?: string;
}

export interface StixLocation extends StixVersioned {
  type: 'location';
  name?: string;
  city?: string;
  country: string;
}

export interface StixNote extends StixVersioned {
  type: 'note';
  abstract?: string;
  content: string;
  object_refs: string[];
}

export type StixObject =
  | StixExtensionDefinition
  | StixMarkingDefinition
  | StixIdentity
  | StixIntrusionSet
  | StixThreatActor
  | StixRelationship
  | StixSighting
  | StixLocation
  | StixNote;

export interface StixBundle {
  type: 'bundle';
  id: string;
  /** Absent when there is nothing to export: STIX forbids empty lists. */
  objects?: StixObject[];
}
