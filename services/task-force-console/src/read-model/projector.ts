import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventRegistry, PersonalDataSpec, agencyOfSource, isErasureType, listAttribute } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { ConsoleConfig, roleOf } from '../config';
import { Relation, entityKey, linksOf } from '../describe/entities';
import { eraseRecord, normalisePayload, partDigests, personView } from '../describe/persons';
import { agencyLabel, describe } from '../describe/sentence';
import { DERIVED_TABLES, FEED_CHANNEL } from './schema';

type Json = Record<string, any>;

/** One feed row as the projections of the dashboards and dossiers see it. */
export interface FeedEvent {
  seq: number;
  eventId: string;
  agency: string;
  role: string;
  type: string;
  time: Date;
  data: Json;
  primary?: string;
  relations: Relation[];
}

const FEED_LOCK = 'console:feed';
const REBUILD_PAGE = 1000;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const day = (v: unknown): string | null => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);
const ref = (kind: string, value: unknown): string | null => {
  const r = value as { agency?: unknown; id?: unknown } | undefined;
  return r && typeof r.agency === 'string' && typeof r.id === 'string' ? entityKey(kind, r.agency, r.id.toLowerCase()) : null;
};

interface Upsert {
  table: string;
  /** Identity columns: `entity`, `agency` and the record's own id column. */
  key: Record<string, unknown>;
  /** Columns set only when the row is new. */
  initial?: Record<string, unknown>;
  /** Columns set on every event. */
  set?: Record<string, unknown>;
  /** Columns updated by an SQL expression when the row exists (the new value is `excluded.<column>`). */
  merge?: Record<string, string>;
}

/** INSERT ... ON CONFLICT (entity) DO UPDATE for the projections (table and column names are constants). */
async function upsert(m: EntityManager, { table, key, initial = {}, set = {}, merge = {} }: Upsert): Promise<void> {
  const values = { ...key, ...initial, ...set };
  const columns = Object.keys(values);
  const updates = [
    ...Object.keys(set).filter((c) => !(c in merge)).map((c) => `${c} = excluded.${c}`),
    ...Object.entries(merge).map(([c, expression]) => `${c} = ${expression}`),
  ];
  await m.query(
    `INSERT INTO console.${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (entity) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    columns.map((c) => values[c]),
  );
}

type Handler = (e: FeedEvent, m: EntityManager, projector: ConsoleProjector) => Promise<void>;

function idOf(entity: string | undefined): string | null {
  return entity ? entity.split(':')[2] : null;
}

const suspectStatus = (status: string): Handler => async (e, m) => {
  if (!e.primary) return;
  await upsert(m, {
    table: 'suspects',
    key: { entity: e.primary, agency: e.agency, suspect_id: idOf(e.primary) },
    initial: { first_seen: e.time },
    set: { status, updated_at: e.time },
  });
};

const alertStatus = (status: string): Handler => async (e, m) => {
  if (!e.primary) return;
  await upsert(m, {
    table: 'alerts',
    key: { entity: e.primary, agency: e.agency, alert_id: idOf(e.primary) },
    set: { status, updated_at: e.time, ...(ref('suspect', e.data.suspect) ? { suspect: ref('suspect', e.data.suspect) } : {}) },
  });
};

/** A victim case: created by whichever of its events arrives first, so a case the task force learns of late still counts. */
const victimCase = (e: FeedEvent, m: EntityManager, set: Record<string, unknown>, merge: Record<string, string> = {}) =>
  e.primary
    ? upsert(m, {
        table: 'victim_cases',
        key: { entity: e.primary, agency: e.agency, case_id: idOf(e.primary) },
        initial: { first_seen: e.time.toISOString().slice(0, 10), status: 'reported' },
        set: { ...set, updated_at: e.time },
        merge,
      })
    : Promise.resolve();

/** Where a suspect was last seen: the latest sighting up to this event that was not withdrawn by it or before it. */
async function refreshWhereabouts(e: FeedEvent, m: EntityManager): Promise<void> {
  const sightings: { checkpoint: string | null; seen_at: string | null }[] = await m.query(
    `SELECT f.data->>'checkpoint' AS checkpoint, f.data->>'seenAt' AS seen_at
       FROM console.feed f
      WHERE f.primary_entity = $1 AND f.type = 'intel.police.suspect-sighted' AND f.seq <= $2 AND f.withdrawn_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM console.feed w
                         WHERE w.primary_entity = $1 AND w.type = 'intel.police.sighting-withdrawn' AND w.seq <= $2
                           AND w.data->'alert'->>'id' = f.data->'alert'->>'id')
      ORDER BY (f.data->>'seenAt')::timestamptz DESC NULLS LAST, f.seq DESC`,
    [e.primary, e.seq],
  );
  const latest = sightings[0];
  await upsert(m, {
    table: 'suspects',
    key: { entity: e.primary, agency: e.agency, suspect_id: idOf(e.primary) },
    initial: { first_seen: e.time, status: 'identified' },
    set: { sightings: sightings.length, last_seen_checkpoint: latest?.checkpoint ?? null, last_seen_at: latest?.seen_at ?? null, updated_at: e.time },
  });
}

/** The projections of the feed, one handler per event type. */
const HANDLERS: Record<string, Handler> = {
  'intel.police.syndicate-identified': async (e, m) => {
    if (!e.primary) return;
    await upsert(m, {
      table: 'syndicates',
      key: { entity: e.primary, agency: e.agency, syndicate_id: idOf(e.primary) },
      set: { name: str(e.data.name), scam_types: e.data.scamTypes ?? [], countries: e.data.countries ?? [], updated_at: e.time },
    });
  },
  'intel.police.suspect-identified': async (e, m) => {
    if (!e.primary) return;
    const person = e.data.person === undefined ? null : e.data.person;
    await upsert(m, {
      table: 'suspects',
      key: { entity: e.primary, agency: e.agency, suspect_id: idOf(e.primary) },
      initial: { status: 'identified', first_seen: e.time },
      set: {
        role: str(e.data.role),
        person: person === null ? null : JSON.stringify(person),
        nationality: person ? (personView(person).nationality ?? null) : null,
        syndicate: str(e.data.syndicateId) ? entityKey('syndicate', e.agency, e.data.syndicateId.toLowerCase()) : null,
        updated_at: e.time,
      },
    });
  },
  'intel.police.suspect-arrested': suspectStatus('arrested'),
  'intel.police.suspect-charged': suspectStatus('charged'),
  'intel.police.suspect-convicted': suspectStatus('convicted'),
  'intel.police.suspect-cleared': suspectStatus('cleared'),
  'intel.police.suspect-role-changed': async (e, m) => {
    if (!e.primary) return;
    await upsert(m, {
      table: 'suspects',
      key: { entity: e.primary, agency: e.agency, suspect_id: idOf(e.primary) },
      initial: { status: 'identified', first_seen: e.time },
      set: { role: str(e.data.to), updated_at: e.time },
    });
  },
  'intel.police.suspect-sighted': refreshWhereabouts,
  'intel.police.sighting-withdrawn': refreshWhereabouts,
  'intel.police.suspect-marking-changed': async (e, m, projector) => {
    if (!e.primary) return;
    const still = e.data.classification !== 'RED' && Array.isArray(e.data.releasableTo) && e.data.releasableTo.includes(projector.agencyId);
    if (!still) await projector.withdraw(m, e.primary, `${agencyLabel(e.agency, e.role)} withdrew the task force's access${str(e.data.reason) ? `: ${e.data.reason}` : ''}`, e.seq);
  },
  'intel.police.raid-conducted': async (e, m) => {
    if (!e.primary) return;
    const raid = str(e.data.raidId) ? entityKey('raid', e.agency, e.data.raidId.toLowerCase()) : e.primary;
    await upsert(m, {
      table: 'raids',
      key: { entity: raid, agency: e.agency, raid_id: idOf(raid) },
      set: {
        place: str(e.data.place),
        city: str(e.data.city),
        country: str(e.data.country),
        conducted_on: day(e.data.conductedOn),
        syndicate: str(e.data.syndicateId) ? entityKey('syndicate', e.agency, e.data.syndicateId.toLowerCase()) : null,
        updated_at: e.time,
      },
    });
  },
  'intel.police.victims-rescued': async (e, m) => {
    const id = str(e.data.rescueId);
    if (!id) return;
    const rescue = entityKey('rescue', e.agency, id.toLowerCase());
    await upsert(m, {
      table: 'rescues',
      key: { entity: rescue, agency: e.agency, rescue_id: id.toLowerCase() },
      set: {
        raid: str(e.data.raidId) ? entityKey('raid', e.agency, e.data.raidId.toLowerCase()) : null,
        place: str(e.data.place),
        country: str(e.data.country),
        rescued_on: day(e.data.rescuedOn),
        persons: Array.isArray(e.data.persons) ? e.data.persons.length : 0,
        updated_at: e.time,
      },
    });
  },
  'intel.immigration.border-alert-raised': async (e, m) => {
    if (!e.primary) return;
    await upsert(m, {
      table: 'alerts',
      key: { entity: e.primary, agency: e.agency, alert_id: idOf(e.primary) },
      initial: { status: 'raised' },
      set: {
        checkpoint: str(e.data.checkpoint),
        direction: str(e.data.direction),
        crossed_at: str(e.data.crossedAt),
        suspect: ref('suspect', e.data.suspect),
        match: e.data.match ? JSON.stringify(e.data.match) : null,
        traveller: e.data.traveller ? JSON.stringify(e.data.traveller) : null,
        updated_at: e.time,
      },
    });
  },
  'intel.immigration.border-alert-confirmed': alertStatus('confirmed'),
  'intel.immigration.border-alert-dismissed': alertStatus('dismissed'),
  'intel.foreign-ministry.victim-reported': (e, m) =>
    victimCase(
      e,
      m,
      { person: e.data.person ? JSON.stringify(e.data.person) : null, reported_on: day(e.data.reportedOn), country: str(e.data.lastKnownCountry) },
      { country: 'coalesce(victim_cases.country, excluded.country)' },
    ),
  'intel.foreign-ministry.victim-located': (e, m) =>
    victimCase(e, m, { status: 'located', country: str(e.data.country) }, { status: `CASE WHEN victim_cases.status = 'reported' THEN 'located' ELSE victim_cases.status END` }),
  'intel.foreign-ministry.victim-rescued': (e, m) =>
    victimCase(
      e,
      m,
      { status: 'rescued', country: str(e.data.country), rescued_on: day(e.data.rescuedOn) },
      // As the ministry decides: a rescue recorded after the repatriation was arranged does not hide the arrangement.
      { status: `CASE WHEN victim_cases.status IN ('repatriation-arranged', 'repatriated', 'closed') THEN victim_cases.status ELSE 'rescued' END` },
    ),
  'intel.foreign-ministry.repatriation-arranged': (e, m) => victimCase(e, m, { status: 'repatriation-arranged' }),
  'intel.foreign-ministry.victim-repatriated': (e, m) => victimCase(e, m, { status: 'repatriated', returned_on: day(e.data.returnedOn) }),
  'intel.foreign-ministry.case-closed': (e, m) => victimCase(e, m, { status: 'closed', closed_on: e.time.toISOString().slice(0, 10) }),
  'intel.foreign-ministry.case-flagged-for-review': (e, m) => victimCase(e, m, { under_review: true }),
  'intel.foreign-ministry.case-reclassified': (e, m) => victimCase(e, m, { under_review: false, reclassified_as: str(e.data.outcome) }),
};

/**
 * Records what partners release to the task force. Each event becomes a feed row (numbered in
 * commit order: rows are inserted under one lock, so a reader that has seen row n never later
 * finds a smaller number committed) and updates the dashboards' and dossiers' tables, in the
 * consumer's transaction; the commit announces the row to the live feeds.
 */
export class ConsoleProjector {
  readonly agencyId: string;
  private readonly keys = new DataKeys();

  constructor(
    private readonly config: Pick<ConsoleConfig, 'agencyId' | 'senders'>,
    private readonly registry: EventRegistry,
    /** The consumer whose inbox keeps each event as it arrived (sealed), for the commitments of erased parts. */
    private readonly consumer: string,
  ) {
    this.agencyId = config.agencyId;
  }

  /** Where the payloads of a type hold personal data (none for a type this console does not know). */
  private personal(type: string): readonly PersonalDataSpec[] {
    return this.registry.has(type) ? (this.registry.definition(type).personal ?? []) : [];
  }

  /** Records one received event; returns its feed number, or undefined when it was recorded before. */
  async record(envelope: EventEnvelope, m: EntityManager): Promise<number | undefined> {
    const agency = agencyOfSource(envelope.source) ?? 'unknown';
    const role = roleOf(this.config, agency, envelope.type);
    const data = (normalisePayload(envelope.data) ?? {}) as Json;
    const links = linksOf(agency, envelope.subject, data, this.personal(envelope.type));
    const sentence = describe({ agency, role, type: envelope.type, data });
    // One round trip: the feed lock, the row (unless the event is recorded already) and the
    // announcement to the live feeds, which Postgres delivers when the transaction commits. The
    // row is numbered once the lock is held. A redelivery running at the same time as the
    // first delivery (only while a partition changes hands) may leave a gap in the numbers.
    const rows: { seq: string }[] = await m.query(
      `WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtextextended($18, 0))),
       inserted AS (
         INSERT INTO console.feed (event_id, agency, role, type, classification, handling, subject, event_time, correlation_id, causation_id,
                                   actor, sequence, sentence, countries, primary_entity, entities, data)
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text[], $7::text, $8::timestamptz, $9::uuid, $10::uuid,
                $11::text, $12::bigint, $13::text, $14::text[], $15::text, $16::text[], $17::jsonb
           FROM locked
          WHERE NOT EXISTS (SELECT 1 FROM console.feed WHERE event_id = $1::uuid)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING seq)
       SELECT seq::text, pg_notify($19, seq::text) FROM inserted`,
      [
        envelope.id, agency, role, envelope.type, envelope.classification, listAttribute(envelope.handling), envelope.subject, envelope.time,
        envelope.correlationid, envelope.causationid, envelope.actor, envelope.sequence ?? null, sentence, links.countries,
        links.primary ?? null, links.entities, JSON.stringify(data), FEED_LOCK, FEED_CHANNEL,
      ],
    );
    if (rows.length === 0) return undefined;
    const seq = Number(rows[0].seq);
    await this.project(
      { seq, eventId: envelope.id, agency, role, type: envelope.type, time: new Date(envelope.time), data, primary: links.primary, relations: links.relations },
      m,
    );
    if (isErasureType(envelope.type) && typeof data.ref === 'string') await this.erase(m, agency, data.ref.toLowerCase(), seq);
    return seq;
  }

  /**
   * The owner erased a person record under a lawful request: the console destroys its copy of
   * the record's key and keeps nothing personal of it. Each earlier event holding the record's
   * parts keeps only their non-personal fields, marked erased (with the pseudonym and the
   * commitment), its sentence is written again from what is left, and the dashboards' and
   * dossiers' rows of those events' records are projected again.
   */
  async erase(m: EntityManager, sender: string, ref: string, beforeSeq: number): Promise<void> {
    await this.keys.erase(m, sender, ref);
    const rows: { seq: string; event_id: string; role: string; type: string; data: Json; primary_entity: string | null }[] = await m.query(
      `SELECT seq::text, event_id::text, role, type, data, primary_entity FROM console.feed
        WHERE agency = $1 AND seq < $2 AND withdrawn_at IS NULL AND (entities @> ARRAY[$3]::text[] OR strpos(data::text, $4) > 0)`,
      [sender, beforeSeq, entityKey('person', sender, ref), ref],
    );
    const touched = new Set<string>();
    for (const row of rows) {
      const [inbox]: { envelope: EventEnvelope }[] = await m.query(`SELECT envelope FROM interlink.inbox WHERE consumer = $1 AND event_id = $2`, [this.consumer, row.event_id]);
      const data = eraseRecord(row.data, this.personal(row.type), ref, inbox ? partDigests(inbox.envelope.data).get(ref) : undefined) as Json;
      if (JSON.stringify(data) === JSON.stringify(row.data)) continue;
      await m.query(`UPDATE console.feed SET data = $2, sentence = $3 WHERE seq = $1`, [row.seq, JSON.stringify(data), describe({ agency: sender, role: row.role, type: row.type, data })]);
      if (row.primary_entity) touched.add(row.primary_entity);
    }
    if (touched.size > 0) await this.reproject(m, [...touched]);
  }

  /** Applies one feed row to the derived tables. */
  async project(event: FeedEvent, m: EntityManager): Promise<void> {
    for (const r of event.relations) {
      await m.query(
        `INSERT INTO console.relations (event_id, from_entity, to_entity, relation, match, event_seq) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [event.eventId, r.from, r.to, r.relation, r.match ? JSON.stringify(r.match) : null, event.seq],
      );
    }
    await HANDLERS[event.type]?.(event, m, this);
  }

  /**
   * The owner took back the task force's access to a record: what the task force holds of it goes.
   * Its events stay in the feed as withdrawn, without their payload; the record and its links are deleted.
   */
  async withdraw(m: EntityManager, entity: string, reason: string, beforeSeq: number): Promise<void> {
    const rows: { seq: string; agency: string; role: string; type: string }[] = await m.query(
      `SELECT seq::text, agency, role, type FROM console.feed WHERE primary_entity = $1 AND seq < $2 AND withdrawn_at IS NULL`,
      [entity, beforeSeq],
    );
    for (const row of rows) {
      const name = (row.type.split('.').pop() ?? row.type).replace(/-/g, ' ');
      await m.query(
        `UPDATE console.feed SET data = '{}'::jsonb, entities = ARRAY[primary_entity], countries = '{}', sentence = $2, withdrawn_at = now(), withdrawn_reason = $3 WHERE seq = $1`,
        [row.seq, `${agencyLabel(row.agency, row.role)}: ${name} (withdrawn)`, reason],
      );
    }
    await m.query(`DELETE FROM console.relations WHERE from_entity = $1 OR event_seq = ANY($2::bigint[])`, [entity, rows.map((r) => r.seq)]);
    for (const table of ['suspects', 'syndicates', 'raids', 'rescues', 'alerts', 'victim_cases']) {
      await m.query(`DELETE FROM console.${table} WHERE entity = $1`, [entity]);
    }
  }

  /** Rebuilds the derived tables from the feed, in one transaction: readers see the old tables until it commits. */
  async rebuild(dataSource: DataSource): Promise<number> {
    return dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [FEED_LOCK]);
      return this.reproject(m);
    });
  }

  /**
   * Projects the feed again into the derived tables: all of it, or only the events of `entities`
   * (their rows are deleted first). Returns how many events it applied.
   */
  private async reproject(m: EntityManager, entities?: string[]): Promise<number> {
    if (entities) {
      await m.query(`DELETE FROM console.relations WHERE from_entity = ANY($1::text[])`, [entities]);
      for (const table of DERIVED_TABLES.filter((t) => t !== 'relations')) await m.query(`DELETE FROM console.${table} WHERE entity = ANY($1::text[])`, [entities]);
    } else {
      await m.query(`TRUNCATE ${DERIVED_TABLES.map((t) => `console.${t}`).join(', ')}`);
    }
    let after = 0;
    let count = 0;
    for (;;) {
      const rows: { seq: string; event_id: string; agency: string; role: string; type: string; event_time: Date; data: Json; primary_entity: string | null; subject: string }[] =
        await m.query(
          `SELECT seq::text, event_id::text, agency, role, type, event_time, data, primary_entity, subject
             FROM console.feed WHERE seq > $1 AND ($3::text[] IS NULL OR primary_entity = ANY($3::text[])) ORDER BY feed.seq LIMIT $2`,
          [after, REBUILD_PAGE, entities ?? null],
        );
      for (const row of rows) {
        const links = linksOf(row.agency, row.subject, row.data, this.personal(row.type));
        await this.project(
          {
            seq: Number(row.seq),
            eventId: row.event_id,
            agency: row.agency,
            role: row.role,
            type: row.type,
            time: row.event_time,
            data: row.data,
            primary: row.primary_entity ?? undefined,
            relations: links.relations,
          },
          m,
        );
      }
      count += rows.length;
      if (rows.length < REBUILD_PAGE) return count;
      after = Number(rows[rows.length - 1].seq);
    }
  }
}
