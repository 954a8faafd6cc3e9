import { Classification, HANDLING, Handling } from '@interlink/contracts';
import { stixId } from './stix-ids';
import { StixExtensionDefinition, StixMarkingDefinition } from './stix-types';

/**
 * Interlink labels events with TLP 2.0, which STIX 2.1 predates: its built-in TLP marking objects
 * are TLP 1.0 (white/green/amber/red) and have no AMBER+STRICT. The OASIS CTI TC publishes TLP 2.0
 * as a STIX property extension with one well-known marking-definition per label; the exporter
 * uses those objects exactly as published, so a consumer that knows TLP 2.0 recognises them by id
 * and one that does not can follow the extension definition, which the bundle carries too.
 */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const TLP2_EXTENSION_DEFINITION: StixExtensionDefinition = {
  type: 'extension-definition',
  spec_version: '2.1',
  id: TLP2_EXTENSION_ID,
  created: '2022-10-01T00:00:00.000Z',
  modified: '2022-10-01T00:00:00.000Z',
  created_by_ref: 'identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01',
  name: 'TLP 2.0',
  description: 'This defines TLP 2.0 as a STIX extension',
  schema: 'https://github.com/oasis-open/cti-stix-common-objects/tree/master/extension-definition-specifications/tlp-2.0',
  version: '1.0.0',
  extension_types: ['property-extension'],
};

export const TLP2_MARKING_IDS: Readonly<Record<Classification, string>> = Object.freeze({
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
});

export function tlpMarking(classification: Classification): StixMarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[classification],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${classification}`,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: classification.toLowerCase() } },
  };
}

/**
 * Timestamp of the objects no event dates: agency identities and handling statements. Their
 * content never changes, so each has exactly one version, and a fixed timestamp keeps two exports
 * from presenting different versions of the same id.
 */
export const PROFILE_EPOCH = '2025-01-01T00:00:00.000Z';

const HANDLING_STATEMENTS: Readonly<Record<Handling, string>> = Object.freeze({
  'no-onward-sharing': 'Interlink handling no-onward-sharing: do not share onward without the consent of the agency that recorded it.',
  'law-enforcement-only': 'Interlink handling law-enforcement-only: for law-enforcement use only.',
  'personal-data': 'Interlink handling personal-data: contains personal data; use it only for the purpose it was shared for.',
  'victim-identity': 'Interlink handling victim-identity: may identify a victim of trafficking; protect their identity.',
});

/**
 * An event's handling codes restrict use beyond its TLP label (no onward sharing, personal data);
 * dropping them in an export would loosen the owner's conditions, so each becomes a STIX statement
 * marking beside the TLP one.
 */
export function handlingMarkingId(code: Handling): string {
  return stixId('marking-definition', 'handling', code);
}

export function handlingMarking(code: Handling): StixMarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: handlingMarkingId(code),
    created: PROFILE_EPOCH,
    name: `Interlink handling: ${code}`,
    definition_type: 'statement',
    definition: { statement: HANDLING_STATEMENTS[code] },
  };
}

export function isHandling(value: string): value is Handling {
  return (HANDLING as readonly string[]).includes(value);
}
