import { Edge, expandDossier } from './expand';

let seq = 0;
const edge = (from: string, to: string, relation = 'about', match: Edge['match'] = null): Edge => ({ from, to, relation, match, eventId: `e${++seq}`, seq });

/** A small graph: a syndicate with two members, one seen at a border and matched to a victim case; a raid with a rescue. */
const graph: Edge[] = [
  edge('suspect:police:s1', 'syndicate:police:y'),
  edge('suspect:police:s2', 'syndicate:police:y'),
  edge('suspect:police:s1', 'person:police:s1', 'person'),
  edge('alert:immigration:a1', 'suspect:police:s1', 'matched', { reason: 'passport', score: 1 }),
  edge('alert:immigration:a1', 'person:immigration:c1', 'person'),
  edge('case:foreign-ministry:k1', 'suspect:police:s1', 'matched', { reason: 'name-and-birth-date', score: 0.9 }),
  edge('case:foreign-ministry:k1', 'rescue:police:r1', 'matched', { reason: 'name-and-birth-date', score: 0.95 }),
  edge('raid:police:r', 'syndicate:police:y', 'member of'),
  edge('raid:police:r', 'rescue:police:r1', 'rescue'),
  edge('case:foreign-ministry:k2', 'rescue:police:r1', 'matched', { reason: 'passport', score: 1 }),
];
const neighbours = async (entities: string[]) => graph.filter((e) => entities.includes(e.from) || entities.includes(e.to));

describe('dossier expansion', () => {
  it("gathers a suspect's records across agencies without following the syndicate or the rescue to other people", async () => {
    const { records, edges } = await expandDossier('suspect:police:s1', neighbours);
    expect(records.sort()).toEqual(
      ['suspect:police:s1', 'syndicate:police:y', 'person:police:s1', 'alert:immigration:a1', 'case:foreign-ministry:k1', 'person:immigration:c1', 'rescue:police:r1'].sort(),
    );
    expect(records).not.toContain('suspect:police:s2');
    expect(records).not.toContain('case:foreign-ministry:k2');
    expect(edges.every((e) => records.includes(e.from) && records.includes(e.to))).toBe(true);
    expect(edges.map((e) => e.seq)).toEqual([...edges.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it("follows a syndicate to its members and raids, and each raid to its rescues", async () => {
    const { records } = await expandDossier('syndicate:police:y', neighbours);
    expect(records).toEqual(expect.arrayContaining(['suspect:police:s1', 'suspect:police:s2', 'raid:police:r', 'rescue:police:r1', 'alert:immigration:a1', 'case:foreign-ministry:k1']));
    // Three steps at most: the second victim case hangs off the rescue, a gathering record.
    expect(records).not.toContain('case:foreign-ministry:k2');
  });

  it('is just the record itself when nothing links to it', async () => {
    expect(await expandDossier('case:foreign-ministry:lonely', neighbours)).toEqual({ records: ['case:foreign-ministry:lonely'], edges: [] });
  });
});
