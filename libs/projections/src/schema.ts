import { Migration } from '@interlink/event-store';

export const projectionMigrations: Migration[] = [
  {
    id: 'projections/001-checkpoints',
    sql: `
      CREATE TABLE interlink.projection_checkpoints (
        projection text PRIMARY KEY,
        tx_id      xid8 NOT NULL,
        position   bigint NOT NULL,
        rebuilt_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    id: 'projections/002-begin-batch',
    sql: `
      -- A batch of projections starts with one statement: each projection's lock, in the order
      -- given (callers sort the names, so two batches never wait on each other in a circle), then
      -- the checkpoints of those that have one. VOLATILE, so the read after the locks takes a fresh
      -- snapshot and sees a checkpoint that the batch it waited for committed. The lock keys are
      -- those of ProjectionRunner ('projection:' || name), which a rebuild's swap takes too.
      CREATE FUNCTION interlink.begin_projection_batch(p_projections text[])
        RETURNS TABLE (cp_projection text, cp_tx_id text, cp_position text) LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        v_name text;
      BEGIN
        FOREACH v_name IN ARRAY p_projections LOOP
          PERFORM pg_advisory_xact_lock(hashtextextended('projection:' || v_name, 0));
        END LOOP;
        RETURN QUERY SELECT c.projection, c.tx_id::text, c.position::text
          FROM interlink.projection_checkpoints c WHERE c.projection = ANY(p_projections);
      END
      $fn$;
    `,
  },
];
