import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MatchInfo, parseEntityKey } from '../describe/entities';
import { PersonView, personLabel, personView } from '../describe/persons';
import { countryName } from '../describe/countries';
import { FEED_COLUMNS, FeedItem, toFeedItem } from '../feed/feed.service';
import { Edge, expandDossier } from './expand';

/** One record of a dossier: a suspect, a syndicate, an alert, a victim case, ... with what the task force knows of it. */
export interface RecordSummary {
  entity: string;
  kind: string;
  agency: string;
  id: string;
  title: string;
  status: string | null;
  person: PersonView | null;
  details: Record<string, unknown>;
}

/** Two records linked by a match, with its reason, score and explanation. */
export interface MatchedRecords {
  from: string;
  to: string;
  relation: string;
  match: MatchInfo;
  eventId: string;
  seq: number;
  agency: string | null;
  sentence: string | null;
  time: string | null;
}

export interface TimelineEntry extends FeedItem {
  /** The event that caused this one: in the timeline, elsewhere in the feed, or not released to the task force. */
  cause: { eventId: string; seq: number | null; sentence: string | null; agency: string | null; inTimeline: boolean };
}

export interface Dossier {
  root: RecordSummary;
  records: RecordSummary[];
  matches: MatchedRecords[];
  relations: Edge[];
  timeline: TimelineEntry[];
}

export type SubjectKind = 'suspect' | 'syndicate' | 'case';

const TIMELINE_LIMIT = 500;
const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : (value as T));
/** A Postgres `date` as YYYY-MM-DD (the driver reads it as local midnight). */
const day = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`;
  return String(value).slice(0, 10);
};

@Injectable()
export class DossierService {
  constructor(private readonly dataSource: DataSource) {}

  /** Suspects, syndicates and victim cases a dossier can be opened on, most recently changed first. */
  async subjects(kind?: SubjectKind, q?: string): Promise<RecordSummary[]> {
    const term = q?.trim().toLowerCase();
    const like = term ? `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
    const out: RecordSummary[] = [];
    if (!kind || kind === 'suspect') {
      const rows = await this.dataSource.query(
        `SELECT * FROM console.suspects
          WHERE $1::text IS NULL OR entity ILIKE $1 OR coalesce(role, '') ILIKE $1 OR coalesce(person->>'name', '') ILIKE $1 OR coalesce(person->>'ref', '') ILIKE $1
          ORDER BY updated_at DESC, entity LIMIT 200`,
        [like],
      );
      out.push(...rows.map(suspectSummary));
    }
    if (!kind || kind === 'syndicate') {
      const rows = await this.dataSource.query(
        `SELECT * FROM console.syndicates WHERE $1::text IS NULL OR entity ILIKE $1 OR coalesce(name, '') ILIKE $1 ORDER BY updated_at DESC, entity LIMIT 200`,
        [like],
      );
      out.push(...rows.map(syndicateSummary));
    }
    if (!kind || kind === 'case') {
      const rows = await this.dataSource.query(
        `SELECT * FROM console.victim_cases
          WHERE $1::text IS NULL OR entity ILIKE $1 OR coalesce(person->>'name', '') ILIKE $1 OR coalesce(person->>'ref', '') ILIKE $1 OR coalesce(country, '') ILIKE $1
          ORDER BY updated_at DESC, entity LIMIT 200`,
        [like],
      );
      out.push(...rows.map(caseSummary));
    }
    return out;
  }

  /** One person or syndicate across agencies: the linked records, why they were matched, and the timeline with its causes. */
  async dossier(entity: string): Promise<Dossier> {
    if (!parseEntityKey(entity)) throw new NotFoundException(`no record ${entity}`);
    const [{ known }] = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM console.feed WHERE entities @> ARRAY[$1]::text[]) AS known`, [entity]);
    if (!known) throw new NotFoundException(`the task force has received nothing about ${entity}`);

    const { records, edges } = await expandDossier(entity, (entities) => this.edgesOf(entities));
    const summaries = await this.summaries(records);
    const byEntity = new Map(summaries.map((s) => [s.entity, s]));

    const rows = await this.dataSource.query(
      `SELECT ${FEED_COLUMNS} FROM console.feed
        WHERE primary_entity = ANY($1::text[]) OR entities @> ARRAY[$2]::text[]
        ORDER BY event_time, feed.seq LIMIT $3`,
      [records, entity, TIMELINE_LIMIT],
    );
    const items: FeedItem[] = rows.map(toFeedItem);
    const inTimeline = new Set(items.map((i) => i.eventId));
    const causeIds = [...new Set(items.map((i) => i.causationId).concat(edges.map((e) => e.eventId)))];
    const known_: { event_id: string; seq: string; sentence: string; agency: string; event_time: Date }[] = await this.dataSource.query(
      `SELECT event_id::text, seq::text, sentence, agency, event_time FROM console.feed WHERE event_id = ANY($1::uuid[])`,
      [causeIds],
    );
    const feedById = new Map(known_.map((k) => [k.event_id, k]));
    const timeline: TimelineEntry[] = items.map((item) => {
      const cause = feedById.get(item.causationId);
      return {
        ...item,
        cause: {
          eventId: item.causationId,
          seq: cause ? Number(cause.seq) : null,
          sentence: cause?.sentence ?? null,
          agency: cause?.agency ?? null,
          inTimeline: inTimeline.has(item.causationId) && item.causationId !== item.eventId,
        },
      };
    });
    const matches: MatchedRecords[] = edges
      .filter((e): e is Edge & { match: MatchInfo } => e.match !== null)
      .map((e) => {
        const event = feedById.get(e.eventId);
        return {
          from: e.from,
          to: e.to,
          relation: e.relation,
          match: e.match,
          eventId: e.eventId,
          seq: e.seq,
          agency: event?.agency ?? null,
          sentence: event?.sentence ?? null,
          time: event ? new Date(event.event_time).toISOString() : null,
        };
      });
    return {
      root: byEntity.get(entity) ?? genericSummary(entity),
      records: records.map((r) => byEntity.get(r) ?? genericSummary(r)),
      matches,
      relations: edges,
      timeline,
    };
  }

  private async edgesOf(entities: string[]): Promise<Edge[]> {
    const rows: { from_entity: string; to_entity: string; relation: string; match: MatchInfo | null; event_id: string; event_seq: string }[] = await this.dataSource.query(
      `SELECT from_entity, to_entity, relation, match, event_id::text, event_seq::text FROM console.relations
        WHERE from_entity = ANY($1::text[]) OR to_entity = ANY($1::text[]) ORDER BY event_seq`,
      [entities],
    );
    return rows.map((r) => ({ from: r.from_entity, to: r.to_entity, relation: r.relation, match: r.match, eventId: r.event_id, seq: Number(r.event_seq) }));
  }

  private async summaries(entities: string[]): Promise<RecordSummary[]> {
    const q = (table: string) => this.dataSource.query(`SELECT * FROM console.${table} WHERE entity = ANY($1::text[])`, [entities]);
    const [suspects, syndicates, raids, rescues, alerts, cases] = await Promise.all(
      ['suspects', 'syndicates', 'raids', 'rescues', 'alerts', 'victim_cases'].map((t) => q(t)),
    );
    const persons = await this.personRecords(entities.filter((e) => e.startsWith('person:')));
    return [
      ...suspects.map(suspectSummary),
      ...syndicates.map(syndicateSummary),
      ...raids.map(raidSummary),
      ...rescues.map(rescueSummary),
      ...alerts.map(alertSummary),
      ...cases.map(caseSummary),
      ...persons,
    ];
  }

  /** A person record as its latest event in the feed shows it (redacted, erased, or in full). */
  private async personRecords(entities: string[]): Promise<RecordSummary[]> {
    if (entities.length === 0) return [];
    const out: RecordSummary[] = [];
    for (const entity of entities) {
      const { agency, id } = parseEntityKey(entity)!;
      const [row] = await this.dataSource.query(
        `SELECT part FROM console.feed f, LATERAL (
            SELECT f.data->'person' AS part UNION ALL SELECT f.data->'traveller' UNION ALL SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(f.data->'persons') = 'array' THEN f.data->'persons' ELSE '[]'::jsonb END)
          ) parts
          WHERE f.entities @> ARRAY[$1]::text[] AND (part->>'ref' = $2 OR part->>'personId' = $2)
          ORDER BY f.seq DESC LIMIT 1`,
        [entity, id],
      );
      const view = row ? personView(row.part) : null;
      out.push({ entity, kind: 'person', agency, id, title: view ? personLabel(view) : `person record ${id.slice(-8)}`, status: view?.state ?? null, person: view, details: {} });
    }
    return out;
  }
}

function base(row: { entity: string }, kind: string) {
  const parsed = parseEntityKey(row.entity);
  return { entity: row.entity, kind, agency: parsed?.agency ?? '', id: parsed?.id ?? '' };
}

function suspectSummary(row: any): RecordSummary {
  const person = row.person ? personView(row.person) : null;
  return {
    ...base(row, 'suspect'),
    title: `${row.role ?? 'suspect'}: ${person ? personLabel(person) : 'identity not released'}`,
    status: row.status,
    person,
    details: {
      role: row.role,
      syndicate: row.syndicate,
      sightings: row.sightings,
      lastSeenCheckpoint: row.last_seen_checkpoint,
      lastSeenAt: row.last_seen_at ? new Date(row.last_seen_at).toISOString() : null,
    },
  };
}

function syndicateSummary(row: any): RecordSummary {
  return {
    ...base(row, 'syndicate'),
    title: `syndicate "${row.name ?? 'unnamed'}"`,
    status: null,
    person: null,
    details: { scamTypes: row.scam_types, countries: row.countries },
  };
}

function raidSummary(row: any): RecordSummary {
  const where = [row.place, row.city, row.country ? countryName(row.country) : null].filter(Boolean).join(', ');
  return {
    ...base(row, 'raid'),
    title: `raid at ${where || 'an unnamed place'}${row.conducted_on ? ` on ${day(row.conducted_on)}` : ''}`,
    status: null,
    person: null,
    details: { syndicate: row.syndicate, country: row.country },
  };
}

function rescueSummary(row: any): RecordSummary {
  const where = [row.place, row.country ? countryName(row.country) : null].filter(Boolean).join(', ');
  return {
    ...base(row, 'rescue'),
    title: `${row.persons} ${row.persons === 1 ? 'person' : 'people'} rescued at ${where || 'an unnamed place'}`,
    status: null,
    person: null,
    details: { raid: row.raid, country: row.country, rescuedOn: day(row.rescued_on) },
  };
}

function alertSummary(row: any): RecordSummary {
  const traveller = row.traveller ? personView(row.traveller) : null;
  return {
    ...base(row, 'alert'),
    title: `border alert at ${row.checkpoint ?? 'a checkpoint'}${row.direction ? `, ${row.direction}` : ''}`,
    status: row.status,
    person: traveller,
    details: { suspect: row.suspect, match: json(row.match), crossedAt: row.crossed_at ? new Date(row.crossed_at).toISOString() : null },
  };
}

function caseSummary(row: any): RecordSummary {
  const person = row.person ? personView(row.person) : null;
  return {
    ...base(row, 'case'),
    title: `victim case: ${person ? personLabel(person) : 'identity not released'}`,
    status: row.reclassified_as === 'suspect' ? 'reclassified as suspect' : row.status,
    person,
    details: { country: row.country, underReview: row.under_review, reportedOn: day(row.reported_on), rescuedOn: day(row.rescued_on), returnedOn: day(row.returned_on) },
  };
}

function genericSummary(entity: string): RecordSummary {
  const parsed = parseEntityKey(entity);
  const kind = parsed?.kind ?? 'record';
  return { entity, kind, agency: parsed?.agency ?? '', id: parsed?.id ?? '', title: `${kind} record ${parsed?.id.slice(-8) ?? ''} of ${parsed?.agency ?? '?'}`, status: null, person: null, details: {} };
}
