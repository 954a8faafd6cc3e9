import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PersonView, personParts, personView } from '../describe/persons';
import { FeedFilterDto } from './feed.dto';

/** One event as the page shows it. */
export interface FeedItem {
  /** Its number in the console's feed: the order it was received in, and the stream's event id. */
  seq: number;
  eventId: string;
  agency: string;
  role: string;
  type: string;
  classification: string;
  handling: string[];
  /** When it happened, as the sender recorded it. */
  time: string;
  receivedAt: string;
  sentence: string;
  countries: string[];
  subject: string;
  correlationId: string;
  causationId: string;
  actor: string;
  /** Its position in the sender's log. */
  sequence: number | null;
  primaryEntity: string | null;
  entities: string[];
  /** The payload as released: redacted person parts stay redacted. */
  data: Record<string, unknown>;
  /** Each person part of the payload as the page shows it. */
  persons: { at: string; view: PersonView }[];
  /** Set when the owner took the task force's access back: the payload is gone. */
  withdrawn: { at: string; reason: string } | null;
}

export interface FeedPage {
  items: FeedItem[];
  /** The newest feed number when the page was read: open the live stream after it. */
  head: number;
  /** Pass as `before` for the next, older page; null at the end. */
  nextBefore: number | null;
}

export interface FeedFacets {
  agencies: string[];
  types: string[];
  countries: string[];
  markings: string[];
}

interface FeedRowRaw {
  seq: string;
  event_id: string;
  agency: string;
  role: string;
  type: string;
  classification: string;
  handling: string[];
  event_time: Date;
  received_at: Date;
  sentence: string;
  countries: string[];
  subject: string;
  correlation_id: string;
  causation_id: string;
  actor: string;
  sequence: string | null;
  primary_entity: string | null;
  entities: string[];
  data: Record<string, unknown>;
  withdrawn_at: Date | null;
  withdrawn_reason: string | null;
}

export const FEED_COLUMNS = `seq::text, event_id::text, agency, role, type, classification, handling, event_time, received_at, sentence, countries, subject,
  correlation_id::text, causation_id::text, actor, sequence::text, primary_entity, entities, data, withdrawn_at, withdrawn_reason`;

export function toFeedItem(row: FeedRowRaw): FeedItem {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    agency: row.agency,
    role: row.role,
    type: row.type,
    classification: row.classification,
    handling: row.handling,
    time: new Date(row.event_time).toISOString(),
    receivedAt: new Date(row.received_at).toISOString(),
    sentence: row.sentence,
    countries: row.countries,
    subject: row.subject,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    actor: row.actor,
    sequence: row.sequence === null ? null : Number(row.sequence),
    primaryEntity: row.primary_entity,
    entities: row.entities,
    data: row.data,
    persons: personParts(row.data).map(({ at, part }) => ({ at, view: personView(part) })),
    withdrawn: row.withdrawn_at ? { at: new Date(row.withdrawn_at).toISOString(), reason: row.withdrawn_reason ?? '' } : null,
  };
}

/** The SQL conditions of a filter; `params` receives their values. */
export function filterClauses(filter: FeedFilterDto, params: unknown[]): string[] {
  const clauses: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.agency) add((p) => `agency = ${p}`, filter.agency);
  if (filter.type) add((p) => `type = ${p}`, filter.type);
  if (filter.country) add((p) => `countries @> ARRAY[${p}]::text[]`, filter.country);
  if (filter.marking) add((p) => `classification = ${p}`, filter.marking);
  return clauses;
}

/** Reads of the feed: pages newest first, and the events after a feed number for the live streams. */
@Injectable()
export class FeedService {
  constructor(private readonly dataSource: DataSource) {}

  async head(manager: EntityManager = this.dataSource.manager): Promise<number> {
    const [row] = await manager.query(`SELECT coalesce(max(seq), 0)::text AS head FROM console.feed`);
    return Number(row.head);
  }

  /** A page of events, newest first. Rows commit in feed order, so everything up to the head is visible. */
  async page(filter: FeedFilterDto, before: number | undefined, limit = 100): Promise<FeedPage> {
    const head = await this.head();
    const params: unknown[] = [head];
    const clauses = ['seq <= $1', ...filterClauses(filter, params)];
    if (before !== undefined) {
      params.push(before);
      clauses.push(`seq < $${params.length}`);
    }
    params.push(limit + 1);
    const rows: FeedRowRaw[] = await this.dataSource.query(
      `SELECT ${FEED_COLUMNS} FROM console.feed WHERE ${clauses.join(' AND ')} ORDER BY feed.seq DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit).map(toFeedItem);
    return { items, head, nextBefore: rows.length > limit ? items[items.length - 1].seq : null };
  }

  /** Events after feed number `after`, oldest first: what a live stream sends next. */
  async after(filter: FeedFilterDto, after: number, limit: number): Promise<FeedItem[]> {
    const params: unknown[] = [after];
    const clauses = ['seq > $1', ...filterClauses(filter, params)];
    params.push(limit);
    const rows: FeedRowRaw[] = await this.dataSource.query(
      `SELECT ${FEED_COLUMNS} FROM console.feed WHERE ${clauses.join(' AND ')} ORDER BY feed.seq ASC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toFeedItem);
  }

  /** One event by its id, with the event that caused it and those it caused, when the task force has them. */
  async event(eventId: string): Promise<{ item: FeedItem; cause: FeedItem | null; effects: FeedItem[] }> {
    const [row]: FeedRowRaw[] = await this.dataSource.query(`SELECT ${FEED_COLUMNS} FROM console.feed WHERE event_id = $1`, [eventId]);
    if (!row) throw new NotFoundException(`the task force has received no event ${eventId}`);
    const item = toFeedItem(row);
    const [cause]: FeedRowRaw[] = await this.dataSource.query(`SELECT ${FEED_COLUMNS} FROM console.feed WHERE event_id = $1`, [item.causationId]);
    const effects: FeedRowRaw[] = await this.dataSource.query(
      `SELECT ${FEED_COLUMNS} FROM console.feed WHERE causation_id = $1 AND event_id <> $1 ORDER BY feed.seq LIMIT 100`,
      [eventId],
    );
    return { item, cause: cause ? toFeedItem(cause) : null, effects: effects.map(toFeedItem) };
  }

  /** The values the filters can take, from what has been received. */
  async facets(): Promise<FeedFacets> {
    const distinct = async (sql: string) => ((await this.dataSource.query(sql)) as { v: string }[]).map((r) => r.v);
    return {
      agencies: await distinct(`SELECT DISTINCT agency AS v FROM console.feed ORDER BY v`),
      types: await distinct(`SELECT DISTINCT type AS v FROM console.feed ORDER BY v`),
      countries: await distinct(`SELECT DISTINCT unnest(countries) AS v FROM console.feed ORDER BY v`),
      markings: await distinct(`SELECT DISTINCT classification AS v FROM console.feed ORDER BY v`),
    };
  }
}
