import { createHash } from 'node:crypto';
import { eraseRecord, matchView, normalisePayload, partDigests, personParts, personView } from './persons';

const REF = '01a202be-eead-7067-b124-1bef899bce75';
const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('person parts as the page shows them', () => {
  it('shows a disclosed person in full, a withheld one as redacted or erased with the pseudonym, and never fails', () => {
    expect(personView({ name: 'Lim Wei Jie', aliases: ['Jay'], birthDate: '1990-06-30', nationality: 'MY', passports: [{ number: 'A7654321', country: 'MY' }] })).toEqual({
      state: 'disclosed',
      name: 'Lim Wei Jie',
      aliases: ['Jay'],
      birthDate: '1990-06-30',
      nationality: 'MY',
      passports: [{ number: 'A7654321', country: 'MY' }],
    });
    expect(personView({ name: 'Lim', nationality: 'MY', birthDate: '1990-06-30', passport: { number: 'A7654321', country: 'MY' } })).toMatchObject({ passports: [{ number: 'A7654321', country: 'MY' }] });
    expect(personView({ withheld: 'redacted', ref: REF, digest: DIGEST, nationality: 'MY', personId: REF })).toEqual({ state: 'redacted', ref: REF, digest: DIGEST, nationality: 'MY', personId: REF });
    expect(personView({ withheld: 'erased', ref: REF, digest: DIGEST })).toEqual({ state: 'erased', ref: REF, digest: DIGEST });
    // Still sealed (no key), or a withholding reason this console does not know: nothing personal is shown.
    expect(personView({ ref: REF, sealed: 'x'.repeat(60), nationality: 'MY' })).toEqual({ state: 'redacted', ref: REF, nationality: 'MY' });
    expect(personView({ withheld: 'embargoed', ref: REF, name: 'Someone' })).toEqual({ state: 'redacted', ref: REF });
    for (const odd of [null, undefined, 7, 'name', [], {}, { name: 42 }]) expect(personView(odd).state).toBe('redacted');
  });

  it('finds the person parts of a payload', () => {
    expect(personParts({ person: 1, traveller: 2, persons: [3, 4], other: 5 }).map((p) => p.at)).toEqual(['person', 'traveller', 'persons[0]', 'persons[1]']);
    expect(personParts(null)).toEqual([]);
  });

  it('keeps no ciphertext: a part still sealed is kept as redacted, with the digest of its ciphertext', () => {
    const sealed = 'Q'.repeat(80);
    const kept = normalisePayload({ caseId: REF, person: { ref: REF, sealed, nationality: 'MY' }, match: { reason: 'passport', score: 1, ref: REF, sealed } });
    const digest = `sha256:${createHash('sha256').update(sealed).digest('hex')}`;
    expect(kept).toEqual({
      caseId: REF,
      person: { ref: REF, nationality: 'MY', withheld: 'redacted', digest },
      match: { reason: 'passport', score: 1, ref: REF, withheld: 'redacted', digest },
    });
    expect(partDigests({ person: { ref: REF, sealed } }).get(REF)).toBe(digest);
  });

  it("erases one record's parts in every form, keeping what is not personal", () => {
    const specs = [
      { at: 'person', fields: ['name', 'aliases', 'birthDate', 'passports'], ref: 'suspectId' },
      { at: 'match', fields: ['explanation'], ref: 'suspectId' },
    ];
    const opened = { suspectId: REF, role: 'recruiter', person: { name: 'Lim', birthDate: '1990-06-30', nationality: 'MY' }, match: { reason: 'passport', score: 1, explanation: 'A7654321' } };
    expect(eraseRecord(opened, specs, REF, DIGEST)).toEqual({
      suspectId: REF,
      role: 'recruiter',
      person: { nationality: 'MY', withheld: 'erased', ref: REF, digest: DIGEST },
      match: { reason: 'passport', score: 1, withheld: 'erased', ref: REF, digest: DIGEST },
    });
    const redacted = { suspectId: REF, person: { nationality: 'MY', withheld: 'redacted', ref: REF, digest: DIGEST } };
    expect(eraseRecord(redacted, specs, REF)).toEqual({ suspectId: REF, person: { nationality: 'MY', withheld: 'erased', ref: REF, digest: DIGEST } });
    // Another record's parts are left alone.
    const other = '01a202be-0000-7000-8000-000000000000';
    expect(eraseRecord(opened, specs, other)).toEqual(opened);
    const rescue = { persons: [{ personId: REF, name: 'A', nationality: 'MY' }, { personId: other, name: 'B', nationality: 'MY' }] };
    expect(eraseRecord(rescue, [{ at: 'persons[]', fields: ['name', 'birthDate', 'passports'], ref: 'personId' }], REF)).toEqual({
      persons: [{ personId: REF, nationality: 'MY', withheld: 'erased', ref: REF }, { personId: other, name: 'B', nationality: 'MY' }],
    });
  });

  it('reads a match with or without its explanation', () => {
    expect(matchView({ reason: 'passport', score: 1, explanation: 'same passport' })).toEqual({ reason: 'passport', score: 1, explanation: 'same passport' });
    expect(matchView({ reason: 'passport', score: 1, withheld: 'redacted', ref: REF, digest: DIGEST })).toEqual({ reason: 'passport', score: 1, withheld: 'redacted' });
    expect(matchView({ reason: 'passport', score: 1, ref: REF, sealed: 'x' })).toEqual({ reason: 'passport', score: 1, withheld: 'redacted' });
    expect(matchView({ reason: 'passport' })).toBeUndefined();
  });
});
