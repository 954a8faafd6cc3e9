import { describe as sentence, agencyLabel, countryName } from './sentence';

const REF = '01a202be-eead-7067-b124-1bef899bce75';
const redacted = (nationality?: string) => ({ ...(nationality ? { nationality } : {}), withheld: 'redacted', ref: REF, digest: `sha256:${'a'.repeat(64)}` });
const erased = (nationality?: string) => ({ ...redacted(nationality), withheld: 'erased' });
const say = (type: string, data: unknown, agency = type.split('.')[1], role = type.split('.')[1]) => sentence({ agency, role, type, data });

describe('plain sentences for the feed', () => {
  it('says what immigration saw at a checkpoint, by match reason', () => {
    const alert = { checkpoint: 'KLIA', direction: 'outbound', traveller: redacted('MY'), match: { reason: 'passport', score: 1, explanation: '…' } };
    expect(say('intel.immigration.border-alert-raised', alert)).toBe('Immigration: watchlisted passport seen at KLIA, outbound');
    expect(say('intel.immigration.border-alert-raised', { ...alert, direction: 'inbound', match: { reason: 'name-and-birth-date', score: 0.9, withheld: 'redacted', ref: REF } })).toBe(
      'Immigration: watchlisted name and birth date seen at KLIA, inbound',
    );
    expect(say('intel.immigration.border-alert-dismissed', { reason: 'namesake, different face' })).toBe('Immigration: border alert dismissed: namesake, different face');
    expect(say('intel.immigration.victim-return-recorded', { checkpoint: 'KLIA', match: { reason: 'passport', score: 1 } })).toBe('Immigration: returning victim arrived at KLIA (passport match)');
  });

  it('names a person only when the task force was given the name; otherwise redacted or erased with the pseudonym', () => {
    expect(say('intel.police.suspect-identified', { role: 'recruiter', person: { name: 'Mohd Faizal bin Ahmad', nationality: 'MY' }, syndicateId: REF })).toBe(
      'Police: Mohd Faizal bin Ahmad identified as a recruiter of a known syndicate',
    );
    expect(say('intel.police.suspect-identified', { role: 'money-mule', person: redacted('MY') })).toBe(
      'Police: money mule identified: a person from Malaysia (redacted, pseudonym 899bce75)',
    );
    expect(say('intel.police.suspect-identified', { role: 'operator', person: erased() })).toBe('Police: operator identified: a person (erased, pseudonym 899bce75)');
    expect(say('intel.immigration.border-crossing-recorded', { checkpoint: 'Bukit Kayu Hitam', direction: 'inbound', traveller: redacted('TH') })).toBe(
      'Immigration: a person from Thailand (redacted, pseudonym 899bce75) crossed at Bukit Kayu Hitam, inbound',
    );
    expect(say('intel.foreign-ministry.victim-reported', { person: redacted('MY'), reportedBy: 'mp-office', lastKnownCountry: 'KH' })).toBe(
      "Foreign ministry: citizen of Malaysia reported missing by an MP's office, last known in Cambodia",
    );
    expect(say('intel.foreign-ministry.victim-reported', { person: { name: 'Siti Aminah', nationality: 'MY' }, reportedBy: 'relative' })).toBe(
      'Foreign ministry: Siti Aminah reported missing by a relative',
    );
  });

  it('describes police operations with places and countries by name', () => {
    expect(say('intel.police.raid-conducted', { place: 'House in La Molina', city: 'Lima', country: 'PE', partnerAgency: 'Policía Nacional del Perú' })).toBe(
      'Police: raid at House in La Molina, Lima, Peru with Policía Nacional del Perú',
    );
    expect(say('intel.police.victims-rescued', { place: 'La Molina', country: 'PE', persons: [redacted('MY'), redacted('MY')] })).toBe('Police: 2 people rescued at La Molina, Peru');
    expect(say('intel.police.victims-rescued', { place: 'Compound', country: 'KH', persons: [redacted('MY')] })).toBe('Police: 1 person rescued at Compound, Cambodia');
    expect(say('intel.police.syndicate-identified', { name: 'Macau scam', scamTypes: ['bank-impersonation', 'job-scam'], countries: ['MY', 'PE'] })).toBe(
      'Police: syndicate "Macau scam" identified (bank impersonation, job scam), active in Malaysia, Peru',
    );
    expect(say('intel.police.suspect-charged', { law: 'ATIPSOM 2007', section: '12', court: 'Sessions Court Shah Alam' })).toBe(
      'Police: suspect charged under ATIPSOM 2007 s. 12 at Sessions Court Shah Alam',
    );
    expect(say('intel.police.suspect-sighted', { checkpoint: 'KLIA', direction: 'outbound', match: { reason: 'passport', score: 1 } })).toBe(
      'Police: suspect sighted at KLIA, outbound (passport match)',
    );
    expect(say('intel.police.suspect-marking-changed', { classification: 'RED', reason: 'source protection' })).toBe("Police: suspect's marking changed to TLP:RED (source protection)");
  });

  it("tells the ministry's case story", () => {
    expect(say('intel.foreign-ministry.victim-rescued', { country: 'PE', place: 'La Molina', rescue: { agency: 'police', id: REF } })).toBe(
      'Foreign ministry: victim rescued in La Molina, Peru (matched to a police rescue)',
    );
    expect(say('intel.foreign-ministry.repatriation-arranged', { checkpoint: 'KLIA', expectedOn: '2023-11-02' })).toBe('Foreign ministry: repatriation arranged, expected at KLIA on 2023-11-02');
    expect(say('intel.foreign-ministry.victim-repatriated', { checkpoint: 'KLIA', returnedOn: '2023-11-02' })).toBe('Foreign ministry: victim repatriated through KLIA on 2023-11-02');
    expect(say('intel.foreign-ministry.case-flagged-for-review', { role: 'operator', match: { reason: 'name-and-birth-date', score: 0.9 } })).toBe(
      'Foreign ministry: victim case flagged: matches a police operator (name and birth date)',
    );
    expect(say('intel.foreign-ministry.case-reclassified', { outcome: 'suspect' })).toBe('Foreign ministry: victim case reclassified as a suspect');
  });

  it('shows the agency id when it is not the role name, and copes with anything it does not know', () => {
    expect(sentence({ agency: 'kh-police', role: 'police', type: 'intel.police.suspect-cleared', data: { reason: 'mistaken identity' } })).toBe(
      'Police (kh-police): suspect cleared: mistaken identity',
    );
    expect(say('intel.police.something-new', { anything: 1 })).toBe('Police: something new');
    expect(say('intel.police.personal-data-read', { resource: 'suspects', records: 3 })).toBe('Police: personal data read (suspects, 3 records)');
    expect(say('intel.police.personal-data-erased', { ref: REF, reason: 'court order' })).toBe('Police: personal data of person record 899bce75 erased (court order)');
    // Payloads of an unexpected shape still give a sentence, never an exception.
    for (const data of [null, 'text', 42, [], { persons: 'x', person: 7, traveller: [], match: 'x', countries: 'PE' }]) {
      for (const type of ['intel.police.victims-rescued', 'intel.police.suspect-identified', 'intel.immigration.border-alert-raised', 'intel.police.syndicate-identified']) {
        expect(typeof say(type, data)).toBe('string');
      }
    }
    expect(agencyLabel('audit', 'audit')).toBe('Auditors');
    expect(countryName('XX')).toBe('XX');
    expect(countryName('unknown')).toBe('unknown');
  });
});
