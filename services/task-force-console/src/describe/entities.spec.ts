import { entityKey, linksOf, parseEntityKey } from './entities';

const [SUSPECT, ALERT, CROSSING, ENTRY, CASE, RESCUE, RAID, P1, P2] = Array.from({ length: 9 }, (_, i) => `01a202be-0000-7000-8000-00000000000${i}`);
const withheld = (ref: string, nationality: string) => ({ nationality, withheld: 'redacted', ref, digest: `sha256:${'c'.repeat(64)}` });
const match = { reason: 'passport', score: 1, explanation: 'same passport' };

describe('what an event is about, across agencies', () => {
  it("links an immigration alert to the police suspect it matched, with the match, and to the traveller's record", () => {
    const links = linksOf('immigration', `alert-${ALERT}`, {
      alertId: ALERT,
      crossingId: CROSSING,
      entryId: ENTRY,
      suspect: { agency: 'police', id: SUSPECT },
      traveller: withheld(CROSSING, 'MY'),
      match,
    });
    expect(links.primary).toBe(`alert:immigration:${ALERT}`);
    expect(links.entities).toEqual(
      expect.arrayContaining([`alert:immigration:${ALERT}`, `crossing:immigration:${CROSSING}`, `watch:immigration:${ENTRY}`, `suspect:police:${SUSPECT}`, `person:immigration:${CROSSING}`]),
    );
    expect(links.relations).toEqual(
      expect.arrayContaining([
        { from: `alert:immigration:${ALERT}`, to: `suspect:police:${SUSPECT}`, relation: 'matched', match },
        { from: `alert:immigration:${ALERT}`, to: `watch:immigration:${ENTRY}`, relation: 'watchlist entry' },
      ]),
    );
    expect(links.countries).toEqual(['MY']);
  });

  it('names the records of persons shown in full from the type\'s personal-data specs', () => {
    const links = linksOf('police', `suspect-${SUSPECT}`, { suspectId: SUSPECT, role: 'recruiter', person: { name: 'Lim', nationality: 'SG' } }, [
      { at: 'person', fields: ['name'], ref: 'suspectId' },
      { at: 'match', fields: ['explanation'], ref: 'suspectId' },
    ]);
    expect(links.entities).toEqual([`suspect:police:${SUSPECT}`, `person:police:${SUSPECT}`]);
    expect(links.relations).toEqual([{ from: `suspect:police:${SUSPECT}`, to: `person:police:${SUSPECT}`, relation: 'person' }]);
    expect(links.countries).toEqual(['SG']);
  });

  it('links a rescue to its raid and each rescued person, and collects the countries', () => {
    const links = linksOf('police', `raid-${RAID}`, { rescueId: RESCUE, raidId: RAID, country: 'PE', persons: [withheld(P1, 'MY'), { ...withheld(P2, 'ID'), personId: P2 }] });
    expect(links.primary).toBe(`raid:police:${RAID}`);
    expect(links.relations.map((r) => r.to)).toEqual([`rescue:police:${RESCUE}`, `person:police:${P1}`, `person:police:${P2}`]);
    expect(links.countries).toEqual(['ID', 'MY', 'PE']);
  });

  it('takes the first record of its own when the stream is not a record, and ignores what is not an id', () => {
    const links = linksOf('foreign-ministry', 'access-log-someone', { caseId: CASE, suspect: { agency: 'police', id: 'not-a-uuid' }, rescue: 'x', countries: ['KH', 'nope'] });
    expect(links).toEqual({ primary: `case:foreign-ministry:${CASE}`, entities: [`case:foreign-ministry:${CASE}`], relations: [], countries: ['KH'] });
    expect(linksOf('police', 'whatever', null)).toEqual({ entities: [], relations: [], countries: [] });
  });

  it('round-trips entity keys and refuses malformed ones', () => {
    expect(parseEntityKey(entityKey('suspect', 'kh-police', SUSPECT))).toEqual({ kind: 'suspect', agency: 'kh-police', id: SUSPECT });
    for (const bad of ['suspect:police', `suspect:Police!:${SUSPECT}`, 'suspect:police:123', '']) expect(parseEntityKey(bad)).toBeUndefined();
  });
});
