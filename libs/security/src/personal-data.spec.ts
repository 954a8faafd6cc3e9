import { Police, interlinkRegistry } from '@interlink/contracts';
import {
  GENESIS_HASH,
  SealedDataError,
  chainBatch,
  newDataKey,
  openData,
  openDataInPlace,
  sealPart,
  payloadDigest,
  redactData,
  commitmentForm,
  sealData,
  sealedRefs,
  verifyChain,
} from './index';

const suspectId = '0191d3a4-0000-7000-8000-000000000001';
const identified: Police.SuspectIdentified = {
  suspectId,
  role: 'recruiter',
  person: { name: 'Wong Kar Fai', aliases: ['Ah Fai'], birthDate: '1984-03-02', nationality: 'MY', passports: [{ number: 'A12345678', country: 'MY' }] },
};
const registry = interlinkRegistry();
const specs = Police.SuspectIdentified.personal!;

describe('sealing personal data', () => {
  const key = newDataKey();
  const sealed = sealData(identified, specs, () => key);

  it('encrypts the personal fields and keeps the others readable', () => {
    const text = JSON.stringify(sealed);
    for (const secret of ['Wong Kar Fai', 'Ah Fai', '1984-03-02', 'A12345678']) expect(text).not.toContain(secret);
    expect(sealed.person).toMatchObject({ nationality: 'MY', ref: suspectId });
    expect(sealed.role).toBe('recruiter');
  });

  it('does not change the payload it was given', () => expect(identified.person).toHaveProperty('name', 'Wong Kar Fai'));

  it('seals the same data differently each time (a fresh IV), so equal passports cannot be linked', () => {
    expect(JSON.stringify(sealData(identified, specs, () => key))).not.toBe(JSON.stringify(sealed));
  });

  it('gives a payload that still matches the event schema, sealed', () => {
    expect(() => registry.validateData(Police.SuspectIdentified.type, 1, sealed)).not.toThrow();
  });

  it('names the records whose keys a reader needs', () => expect([...sealedRefs(sealed)]).toEqual([suspectId]));

  it('opens with the record key to exactly what was sealed', () => expect(openData(sealed, () => key)).toEqual(identified));

  it('opens names in any script whole, characters of several bytes included', () => {
    const person = { name: 'Nguyễn Thị Hồng', aliases: ['ស្រីពៅ', 'สมชาย', '陈志明', 'Ahmad 🙂'], birthDate: '1990-01-01', nationality: 'VN', passports: [] };
    expect(openData(sealData({ ...identified, person }, specs, () => key), () => key)).toEqual({ ...identified, person });
  });

  it('opens as erased, with the pseudonym and the digest, when the key was destroyed', () => {
    const erased = openData(sealed, () => null);
    expect(erased.person).toEqual({ nationality: 'MY', withheld: 'erased', ref: suspectId, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(() => registry.validateData(Police.SuspectIdentified.type, 1, erased)).not.toThrow();
  });

  it('refuses to open with another key, or after the ciphertext was altered', () => {
    expect(() => openData(sealed, () => newDataKey())).toThrow(SealedDataError);
    const part = sealed.person as unknown as { sealed: string };
    const flipped = part.sealed.slice(0, 30) + (part.sealed[30] === 'A' ? 'B' : 'A') + part.sealed.slice(31);
    expect(() => openData({ ...sealed, person: { ...sealed.person, sealed: flipped } }, () => key)).toThrow(/altered|another key/);
  });

  it('says which record has no key when a reader never received it', () => {
    expect(() => openData(sealed, () => undefined)).toThrow(`no data key for person record ${suspectId}`);
    expect(openData(sealed, () => undefined, { whenMissing: 'redact' }).person).toMatchObject({ withheld: 'redacted' });
  });

  it('leaves a part that is already withheld as it is', () => {
    const erased = openData(sealed, () => null);
    expect(sealData(erased, specs, () => key)).toEqual(erased);
  });
});

describe('redaction and the hash chain', () => {
  const key = newDataKey();
  const sealed = sealData(identified, specs, () => key);
  const redacted = redactData(sealed);

  it('leaves nothing of the personal data in the redacted form', () => {
    expect(redacted.person).toEqual({ nationality: 'MY', withheld: 'redacted', ref: suspectId, digest: expect.any(String) });
    expect(JSON.stringify(redacted)).not.toContain((sealed.person as unknown as { sealed: string }).sealed);
    expect(() => registry.validateData(Police.SuspectIdentified.type, 1, redacted)).not.toThrow();
  });

  it('leaves the sealed payload as it was, and copies only what holds a sealed part', () => {
    const before = JSON.stringify(sealed);
    const withList = { ...sealed, extra: { notes: ['a', 'b'] } };
    const again = redactData(withList);
    const digested = commitmentForm(withList);
    expect(JSON.stringify(sealed)).toBe(before);
    expect((sealed.person as unknown as { sealed?: string }).sealed).toEqual(expect.any(String));
    expect(again.extra).toBe(withList.extra);
    expect(digested.extra).toBe(withList.extra);
    expect(again).not.toBe(withList);
    const plain = { role: 'operator', places: [{ country: 'KH' }] };
    expect(redactData(plain)).toBe(plain);
    expect(commitmentForm(plain)).toBe(plain);
  });

  it('seals each part of a list of persons, leaving the payload it was given and its list as they were', () => {
    const specsOfList = [{ at: 'persons[]', fields: ['name'], ref: 'personId' }] as const;
    const persons = [
      { personId: '0191d3a4-0000-7000-8000-000000000002', name: 'Aung Ko', nationality: 'MM' },
      { personId: '0191d3a4-0000-7000-8000-000000000003', name: 'Dewi Lestari', nationality: 'ID' },
    ];
    const rescue = { place: 'KK Park', persons, counts: { rescued: 2 } };
    const before = JSON.stringify(rescue);
    const keys = new Map(persons.map((p) => [p.personId, newDataKey()]));
    const sealedList = sealData(rescue, specsOfList, (ref) => keys.get(ref)!);
    expect(JSON.stringify(rescue)).toBe(before);
    expect(rescue.persons).toBe(persons);
    expect(sealedList.persons).not.toBe(persons);
    expect(sealedList.counts).toBe(rescue.counts);
    expect(sealedList.persons.map((p) => Object.keys(p).sort())).toEqual([
      ['nationality', 'personId', 'ref', 'sealed'],
      ['nationality', 'personId', 'ref', 'sealed'],
    ]);
    expect(JSON.stringify(sealedList)).not.toMatch(/Aung Ko|Dewi Lestari/);
    expect(openData(sealedList, (ref) => keys.get(ref))).toEqual(rescue);
  });

  it('keeps a member named __proto__ as a member when it copies', () => {
    const parsed = JSON.parse(`{"__proto__": {"x": 1}, "person": ${JSON.stringify(sealed.person)}}`);
    const redactedParsed = redactData(parsed);
    expect(Object.prototype.hasOwnProperty.call(redactedParsed, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(redactedParsed)).toBe(Object.prototype);
    expect(redactedParsed.person).toMatchObject({ withheld: 'redacted' });
  });

  it('opens in place, keeping members named __proto__ as members, at any depth and inside the opened part', () => {
    const part = sealPart(JSON.parse('{"__proto__": {"kept": true}, "nationality": "MY", "name": "Wong Kar Fai"}'), ['name'], suspectId, key);
    const payload = JSON.parse(`{"__proto__": {"x": 1}, "list": [{"__proto__": ${JSON.stringify(part)}}], "person": ${JSON.stringify(sealed.person)}}`);
    const opened = openDataInPlace(payload, () => key);
    const inner = opened.list[0]['__proto__'];
    for (const record of [opened, opened.list[0], inner]) {
      expect(Object.prototype.hasOwnProperty.call(record, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    }
    expect(Object.keys(inner)).toEqual(['__proto__', 'nationality', 'name']);
    expect(inner.name).toBe('Wong Kar Fai');
    expect(opened.person).toEqual(identified.person);
    expect(opened['__proto__']).toEqual({ x: 1 });
  });

  it('commits the sealed, redacted and erased forms to one digest', () => {
    const digest = payloadDigest(sealed);
    expect(payloadDigest(redacted)).toBe(digest);
    expect(payloadDigest(openData(sealed, () => null))).toBe(digest);
  });

  it('changes the digest when the kept fields or the ciphertext change', () => {
    const digest = payloadDigest(sealed);
    expect(payloadDigest({ ...redacted, person: { ...redacted.person, nationality: 'TH' } })).not.toBe(digest);
    expect(payloadDigest({ ...redacted, role: 'operator' })).not.toBe(digest);
    expect(payloadDigest(sealData(identified, specs, () => key))).not.toBe(digest);
  });

  it('lets a recipient of the redacted copy verify the chain the sealed log was sealed with', () => {
    const drafts = [0, 1].map((i) => ({ id: `e${i}`, sequence: i + 1, data: sealData(identified, specs, () => key) }));
    const chained = chainBatch(drafts, GENESIS_HASH);
    expect(verifyChain(chained, GENESIS_HASH)).toEqual({ ok: true });
    expect(verifyChain(chained.map((e) => ({ ...e, data: redactData(e.data) })), GENESIS_HASH)).toEqual({ ok: true });
    const forged = chained.map((e, i) => (i === 1 ? { ...e, data: { ...redactData(e.data), role: 'ringleader' } } : e));
    expect(verifyChain(forged, GENESIS_HASH)).toMatchObject({ ok: false, firstBadIndex: 1 });
  });
});
