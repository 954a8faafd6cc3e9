import { generateKeyPairSync } from 'node:crypto';
import { GENESIS_HASH, chainBatch, type SigningKey } from '../src';

export interface Draft {
  [attribute: string]: unknown;
  data: unknown;
  sequence: number;
}

/** An event as the relay hands it over for sealing: numbered, not yet chained. */
export function draftEvents(count: number, firstSequence = 1, agency = 'police'): Draft[] {
  return Array.from({ length: count }, (_, i) => {
    const sequence = firstSequence + i;
    return {
      specversion: '1.0',
      id: `0190a1b2-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
      source: `/agencies/${agency}`,
      type: 'intel.police.suspect-identified',
      dataschema: 'urn:interlink:schema:intel.police.suspect-identified:v1',
      subject: `case-${sequence % 3}`,
      time: `2025-03-01T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
      datacontenttype: 'application/json',
      data: { name: 'Mohd Faizal bin Ahmad', passports: [{ number: `A${sequence}`, country: 'MY' }], note: 'née Müller 😀' },
      streamversion: i + 1,
      sequence,
      correlationid: '0190a1b2-0000-7000-8000-aaaaaaaaaaaa',
      causationid: '0190a1b2-0000-7000-8000-bbbbbbbbbbbb',
      actor: `${agency}/officer-7`,
      classification: 'AMBER',
      handling: '',
      releasableto: 'immigration',
    };
  });
}

export function chainedEvents(count: number, firstSequence = 1, previousHash = GENESIS_HASH) {
  return chainBatch(draftEvents(count, firstSequence), previousHash);
}

export function newKey(agencyId = 'police', keyId = `${agencyId}:20250301T100000:abcdef`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { agencyId, keyId, privateKey, publicKey };
}
