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
