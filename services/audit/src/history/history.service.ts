import { DataSource } from 'typeorm';
import { EventEnvelope, agencyOfSource } from '@interlink/contracts';
import { ArchiveReader } from '../archive/archive.reader';

const normalise = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '');

export interface HistoryEntry {
  agency: string;
  sequence: number | null;
  id: string;
  type: string;
  time: string;
  subject: string;
  correlationId: string;
  actor: string;
  /** The event that caused this one, when it is part of the history. */
  causedBy: { id: string; agency: string; type: string } | null;
  data: unknown;
}

/**
 * One case or person across agencies, in order: the events about a stream (or mentioning a
 * term such as a passport number), every later event of those streams, and every event of the
 * same case threads (correlation ids), each linked to the event that caused it.
 */
export class HistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: ArchiveReader,
  ) {}

  /**
   * The case threads and streams of the events whose payload mentions `term`. Personal data is
   * sealed in the archive, so the search opens every archived event with the auditors' keys: a
   * scan, where a search index would have to be erased with each person. Erased data is not found.
   */
  private async threadsMentioning(term: string): Promise<{ correlations: string[]; subjects: string[] }> {
    const wanted = normalise(term);
    const correlations = new Set<string>();
    const subjects = new Set<string>();
    const agencies: { agency: string }[] = await this.dataSource.query(`SELECT DISTINCT agency FROM audit.archive ORDER BY agency`);
    for (const { agency } of agencies) {
      for await (const event of this.reader.events(agency)) {
        if (normalise(JSON.stringify(event.data)).includes(wanted)) {
          correlations.add(event.correlationid);
          subjects.add(event.subject);
        }
      }
    }
    return { correlations: [...correlations], subjects: [...subjects] };
  }

  async history(query: { subject?: string; term?: string }, limit = 5000): Promise<HistoryEntry[]> {
    if (!query.subject && !query.term) throw new Error('say whose history: a subject (stream id) or a term (e.g. a passport number)');
    if (query.term !== undefined && query.term.trim().length < 3) throw new Error('a search term needs at least 3 characters');
    const mentioned = query.term !== undefined ? await this.threadsMentioning(query.term) : { correlations: [], subjects: [] };
    const found: { envelope: EventEnvelope; agency: string }[] = await this.dataSource.query(
      `WITH matched AS (
         SELECT envelope->>'correlationid' AS correlation, subject FROM audit.archive
          WHERE envelope IS NOT NULL AND envelope->>'datawithheld' IS NULL AND $1::text IS NOT NULL AND subject = $1
         UNION SELECT unnest($2::text[]), NULL
         UNION SELECT NULL, unnest($3::text[])
       )
       SELECT DISTINCT ON (a.event_id) a.envelope, a.agency FROM audit.archive a
        WHERE a.envelope IS NOT NULL AND a.envelope->>'datawithheld' IS NULL
          AND (a.envelope->>'correlationid' IN (SELECT correlation FROM matched) OR a.subject IN (SELECT subject FROM matched))
        ORDER BY a.event_id
        LIMIT $4`,
      [query.subject ?? null, mentioned.correlations, mentioned.subjects, limit],
    );
    const rows: { envelope: EventEnvelope; agency: string }[] = [];
    for (const agency of new Set(found.map((r) => r.agency))) {
      const own = found.filter((r) => r.agency === agency);
      const opened = await this.reader.open(agency, own.map((r) => r.envelope));
      opened.forEach((envelope) => rows.push({ envelope, agency }));
    }
    const byId = new Map(rows.map((r) => [r.envelope.id, r]));
    return rows
      .map(({ envelope: e, agency }) => {
        const cause = byId.get(e.causationid);
        return {
          agency,
          sequence: e.sequence ?? null,
          id: e.id,
          type: e.type,
          time: e.time,
          subject: e.subject,
          correlationId: e.correlationid,
          actor: e.actor,
          causedBy: cause ? { id: cause.envelope.id, agency: agencyOfSource(cause.envelope.source) ?? cause.agency, type: cause.envelope.type } : null,
          data: e.data,
        };
      })
      .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  }
}
