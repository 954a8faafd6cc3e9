import { MatchInfo } from '../describe/entities';

/** A relation between two records, as the dossier reads it from the read model. */
export interface Edge {
  from: string;
  to: string;
  relation: string;
  match: MatchInfo | null;
  eventId: string;
  seq: number;
}

/**
 * Records that gather many people (a syndicate, a raid, a rescue) are shown in a person's dossier
 * but not followed further: otherwise one suspect's dossier would hold every member of the ring.
 * A syndicate's own dossier follows its members and its raids, and each raid to its rescues.
 */
export const HUB_KINDS = new Set(['syndicate', 'raid', 'rescue']);
const MAX_DEPTH = 3;
const MAX_RECORDS = 200;

const kindOf = (entity: string) => entity.split(':')[0];

function follows(root: string, node: string): boolean {
  if (node === root) return true;
  if (!HUB_KINDS.has(kindOf(node))) return true;
  return kindOf(root) === 'syndicate' && kindOf(node) === 'raid';
}

/**
 * The records of a dossier and the relations between them: from `root`, breadth first over the
 * relations `neighbours` returns, at most three steps away, not through gathering records.
 */
export async function expandDossier(root: string, neighbours: (entities: string[]) => Promise<Edge[]>): Promise<{ records: string[]; edges: Edge[] }> {
  const records = new Set([root]);
  const edges = new Map<string, Edge>();
  let frontier = [root];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0 && records.size < MAX_RECORDS; depth++) {
    const expandable = frontier.filter((node) => follows(root, node));
    if (expandable.length === 0) break;
    const next: string[] = [];
    const around = new Set(expandable);
    for (const edge of await neighbours(expandable)) {
      const other = around.has(edge.from) ? edge.to : around.has(edge.to) ? edge.from : undefined;
      if (other === undefined) continue;
      if (!records.has(other)) {
        if (records.size >= MAX_RECORDS) continue;
        records.add(other);
        next.push(other);
      }
      edges.set(`${edge.eventId}|${edge.from}|${edge.to}|${edge.relation}`, edge);
    }
    frontier = next;
  }
  return { records: [...records], edges: [...edges.values()].filter((e) => records.has(e.from) && records.has(e.to)).sort((a, b) => a.seq - b.seq) };
}
