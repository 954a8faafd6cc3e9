import { Migration } from './migrations';

/** Channel on which every append notifies, so readers wake without polling. */
export const EVENTS_CHANNEL = 'interlink_events';

export const eventStoreMigrations: Migration[] = [
  {
    id: 'event-store/001-events',
    sql: `
      CREATE TABLE interlink.events (
        -- Order in which rows were inserted. Transactions can commit out of this order, so the
        -- log is read in (tx_id, position) order and only below the oldest transaction in flight.
        position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
        id             uuid NOT NULL,
        stream_id      text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        type           text NOT NULL,
        envelope       jsonb NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_id_unique UNIQUE (id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX events_log_order ON interlink.events (tx_id, position);
      CREATE INDEX events_type ON interlink.events (type);

      CREATE FUNCTION interlink.refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'interlink.events is append-only: % refused', TG_OP;
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON interlink.events
        FOR EACH ROW EXECUTE FUNCTION interlink.refuse_event_change();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON interlink.events
        FOR EACH STATEMENT EXECUTE FUNCTION interlink.refuse_event_change();
    `,
  },
  dataKeysMigration(),
  {
    id: 'event-store/003-log-horizon',
    sql: `
      -- How far the log may be read now: below the oldest transaction still in flight that could
      -- write to it. Transaction ids are server-wide, so the plain pg_snapshot_xmin would let any
      -- long transaction in any database of the server hold back every agency's relay and
      -- projections. A transaction whose backend works in another database cannot write this log:
      -- it is recognised by the relation locks its backend holds there (a transaction with an id
      -- has written, and so holds a lock on what it wrote, until it ends). Whatever is not
      -- recognised counts as ours, so a doubt only ever holds readers back. STABLE, so that the
      -- snapshot it looks at is the calling query's own: a volatile function takes a later one,
      -- in which a transaction that committed meanwhile is no longer in flight while the query
      -- still cannot see its rows, and the reader would move past them.
      CREATE FUNCTION interlink.log_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $fn$
        WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
        locks AS MATERIALIZED (SELECT locktype, database, transactionid, pid, mode, granted FROM pg_locks),
        elsewhere AS (
          SELECT t.transactionid FROM locks t
           WHERE t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted AND t.transactionid IS NOT NULL
             AND EXISTS (SELECT 1 FROM locks r
                          WHERE r.pid = t.pid AND r.locktype = 'relation'
                            AND r.database NOT IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))))
        SELECT coalesce(
          (SELECT min(x) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
            WHERE NOT EXISTS (SELECT 1 FROM elsewhere e WHERE e.transactionid = x::xid)),
          (SELECT pg_snapshot_xmax(s) FROM snapshot))
      $fn$;
    `,
  },
  {
    id: 'event-store/004-locked-reads',
    sql: `
      -- Writers of a stream take its advisory lock and then read it. As two statements that is a
      -- round trip more per append; as one plain statement it would be wrong, because a statement
      -- reads the snapshot taken when it started, before the lock was granted, and would miss what
      -- the writer it waited for committed. A VOLATILE function takes a fresh snapshot for each
      -- statement it runs, so these functions lock first and then read what is committed by then.
      -- The lock keys are those of EventStore.lockStream ('stream:' || id).

      -- Lock a stream and read its events from a version on (a decision loads them to decide).
      CREATE FUNCTION interlink.lock_and_read_stream(stream text, from_version integer)
        RETURNS TABLE (envelope jsonb) LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || stream, 0));
        RETURN QUERY SELECT e.envelope FROM interlink.events e
          WHERE e.stream_id = stream AND e.stream_version >= from_version ORDER BY e.stream_version;
      END $fn$;

      -- What an append needs before it inserts, in one round trip: the stream's lock (unless the
      -- caller holds it), its version, the events stored already under the append's ids (a retry),
      -- and, for a new append at the expected version, the data keys to seal its personal data
      -- with (key_refs; fresh_keys are stored for the records that have none). The keys are read
      -- back in a statement of their own, after the INSERT, so a key another transaction made
      -- meanwhile (the INSERT waits for it) is read as it was committed. A record erased has a
      -- NULL key.
      CREATE FUNCTION interlink.prepare_append(
          stream text, ids uuid[], take_lock boolean, expected integer,
          key_owner text, key_refs uuid[], fresh_keys bytea[],
          OUT version integer, OUT existing json, OUT refs text[], OUT keys bytea[])
        LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        IF take_lock THEN
          PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || stream, 0));
        END IF;
        SELECT coalesce(max(e.stream_version), 0)::integer INTO version FROM interlink.events e WHERE e.stream_id = stream;
        SELECT json_agg(json_build_object('tx_id', e.tx_id::text, 'position', e.position::text, 'envelope', e.envelope) ORDER BY e.position)
          INTO existing FROM interlink.events e WHERE e.id = ANY(ids);
        IF existing IS NULL AND cardinality(key_refs) > 0 AND (expected IS NULL OR expected = version) THEN
          INSERT INTO interlink.data_keys (owner, ref, key)
            SELECT key_owner, fresh.ref, fresh.key FROM unnest(key_refs, fresh_keys) AS fresh(ref, key)
            ON CONFLICT (owner, ref) DO NOTHING;
          SELECT array_agg(k.ref::text), array_agg(k.key) INTO refs, keys
            FROM interlink.data_keys k WHERE k.owner = key_owner AND k.ref = ANY(key_refs);
        END IF;
      END $fn$;
    `,
  },
  {
    id: 'event-store/005-key-lookup-join',
    sql: `
      -- prepare_append probes the key of each record to seal (see DataKeys.find) instead of
      -- reading 'ref = ANY(key_refs)': without statistics on data_keys (never analysed, or after
      -- a bulk load with autovacuum off) that read every key of the owner once an append named
      -- more than about 150 records. Same signature and results.
      CREATE OR REPLACE FUNCTION interlink.prepare_append(
          stream text, ids uuid[], take_lock boolean, expected integer,
          key_owner text, key_refs uuid[], fresh_keys bytea[],
          OUT version integer, OUT existing json, OUT refs text[], OUT keys bytea[])
        LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        IF take_lock THEN
          PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || stream, 0));
        END IF;
        SELECT coalesce(max(e.stream_version), 0)::integer INTO version FROM interlink.events e WHERE e.stream_id = stream;
        SELECT json_agg(json_build_object('tx_id', e.tx_id::text, 'position', e.position::text, 'envelope', e.envelope) ORDER BY e.position)
          INTO existing FROM interlink.events e WHERE e.id = ANY(ids);
        IF existing IS NULL AND cardinality(key_refs) > 0 AND (expected IS NULL OR expected = version) THEN
          INSERT INTO interlink.data_keys (owner, ref, key)
            SELECT key_owner, fresh.ref, fresh.key FROM unnest(key_refs, fresh_keys) AS fresh(ref, key)
            ON CONFLICT (owner, ref) DO NOTHING;
          SELECT array_agg(k.ref::text), array_agg(k.key) INTO refs, keys
            FROM unnest(key_refs) AS wanted(ref)
            CROSS JOIN LATERAL (SELECT d.ref, d.key FROM interlink.data_keys d WHERE d.owner = key_owner AND d.ref = wanted.ref OFFSET 0) AS k;
        END IF;
      END $fn$;
    `,
  },
  {
    id: 'event-store/006-log-horizon-cached-plan',
    sql: `
      -- The same horizon as event-store/003, in PL/pgSQL: a SQL function with a WITH query is not
      -- inlined and was planned again on every call, which cost more than the reading it guards
      -- (0.2 ms a call on an idle server, most of a relay's or projection's poll). PL/pgSQL keeps
      -- the plan for the session. Still STABLE: its query runs in the calling query's snapshot.
      CREATE OR REPLACE FUNCTION interlink.log_horizon() RETURNS xid8 LANGUAGE plpgsql STABLE AS $fn$
      BEGIN
        RETURN (
          WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
          locks AS MATERIALIZED (SELECT locktype, database, transactionid, pid, mode, granted FROM pg_locks),
          elsewhere AS (
            SELECT t.transactionid FROM locks t
             WHERE t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted AND t.transactionid IS NOT NULL
               AND EXISTS (SELECT 1 FROM locks r
                            WHERE r.pid = t.pid AND r.locktype = 'relation'
                              AND r.database NOT IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))))
          SELECT coalesce(
            (SELECT min(x) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
              WHERE NOT EXISTS (SELECT 1 FROM elsewhere e WHERE e.transactionid = x::xid)),
            (SELECT pg_snapshot_xmax(s) FROM snapshot)));
      END $fn$;
    `,
  },
  {
    id: 'event-store/007-prepare-append-lean',
    sql: `
      -- prepare_append doing less for the usual append (same signature; results as before, except
      -- that refs and keys are NULL when every record got the fresh key it was given, which the
      -- caller already reads as "seal with the fresh keys"):
      -- - ids empty (the events' ids were made for this append, so no retry can have stored them):
      --   no look for stored events, which probed the id index once per event;
      -- - the fresh keys' INSERT returns the records it stored; only when some record had a key
      --   already are the keys read back (in their own statement, as before, so a key another
      --   transaction made meanwhile is read as committed). Reading back every key probed the
      --   key index once per record and was a third of the preparation.
      CREATE OR REPLACE FUNCTION interlink.prepare_append(
          stream text, ids uuid[], take_lock boolean, expected integer,
          key_owner text, key_refs uuid[], fresh_keys bytea[],
          OUT version integer, OUT existing json, OUT refs text[], OUT keys bytea[])
        LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        stored integer;
      BEGIN
        IF take_lock THEN
          PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || stream, 0));
        END IF;
        SELECT coalesce(max(e.stream_version), 0)::integer INTO version FROM interlink.events e WHERE e.stream_id = stream;
        IF cardinality(ids) > 0 THEN
          SELECT json_agg(json_build_object('tx_id', e.tx_id::text, 'position', e.position::text, 'envelope', e.envelope) ORDER BY e.position)
            INTO existing FROM interlink.events e WHERE e.id = ANY(ids);
        END IF;
        IF existing IS NULL AND cardinality(key_refs) > 0 AND (expected IS NULL OR expected = version) THEN
          WITH made AS (
            INSERT INTO interlink.data_keys (owner, ref, key)
              SELECT key_owner, fresh.ref, fresh.key FROM unnest(key_refs, fresh_keys) AS fresh(ref, key)
              ON CONFLICT (owner, ref) DO NOTHING
              RETURNING 1)
          SELECT count(*)::integer INTO stored FROM made;
          IF stored < cardinality(key_refs) THEN
            SELECT array_agg(k.ref::text), array_agg(k.key) INTO refs, keys
              FROM unnest(key_refs) AS wanted(ref)
              CROSS JOIN LATERAL (SELECT d.ref, d.key FROM interlink.data_keys d WHERE d.owner = key_owner AND d.ref = wanted.ref OFFSET 0) AS k;
          END IF;
        END IF;
      END $fn$;
    `,
  },
];

/**
 * The data keys table (see DataKeys), for every database that holds sealed personal data: an
 * agency's event store, and the auditors' archive.
 */
export function dataKeysMigration(): Migration {
  return {
    id: 'event-store/002-data-keys',
    sql: `
      -- One AES-256 key per person record whose personal data an event holds, sealed with it.
      -- owner is the agency that sealed the data: this agency, or a partner whose key was received.
      -- Erasure destroys the key and keeps the row, so a key delivered late is refused.
      CREATE TABLE interlink.data_keys (
        owner      text NOT NULL,
        ref        uuid NOT NULL,
        key        bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at  timestamptz,
        PRIMARY KEY (owner, ref),
        CONSTRAINT data_keys_erased_or_kept CHECK ((key IS NULL) = (erased_at IS NOT NULL))
      );
    `,
  };
}
