import { Migration } from '@interlink/event-store';

/** Channel on which the `parked` command asks running consumers to serve replay requests. */
export const REPLAY_CHANNEL = 'interlink_replay';

export const messagingMigrations: Migration[] = [
  {
    id: 'messaging/001-relay-inbox-parking',
    sql: `
      -- How far the relay has published the agency's log, and the sequence number it reached.
      CREATE TABLE interlink.relay_checkpoints (
        relay      text PRIMARY KEY,
        tx_id      xid8 NOT NULL,
        position   bigint NOT NULL,
        sequence   bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- Events a consumer has applied: a redelivered event is recognised and skipped.
      CREATE TABLE interlink.inbox (
        consumer    text NOT NULL,
        event_id    uuid NOT NULL,
        stream_id   text NOT NULL,
        type        text NOT NULL,
        topic       text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset    bigint NOT NULL,
        envelope    jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      );

      -- The last offset per partition whose effect is committed, in the same transaction.
      CREATE TABLE interlink.consumer_checkpoints (
        consumer        text NOT NULL,
        topic           text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset    bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic, kafka_partition)
      );

      -- Messages a consumer could not apply, and the later events of the same stream it held back.
      CREATE TABLE interlink.parked_events (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer        text NOT NULL,
        topic           text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset    bigint NOT NULL,
        event_id        uuid,
        stream_id       text,
        type            text,
        reason          text NOT NULL,
        held_behind     bigint REFERENCES interlink.parked_events (id),
        attempts        integer NOT NULL DEFAULT 0,
        message_key     bytea,
        message_value   bytea,
        message_headers jsonb NOT NULL DEFAULT '{}',
        parked_at       timestamptz NOT NULL DEFAULT now(),
        resolved_at     timestamptz,
        resolution      text,
        UNIQUE (consumer, topic, kafka_partition, kafka_offset)
      );
      CREATE INDEX parked_events_open_streams ON interlink.parked_events (consumer, stream_id)
        WHERE resolved_at IS NULL;
    `,
  },
  {
    id: 'messaging/002-replay-requests',
    sql: `
      -- Requests to replay parked events, made by the \`parked\` command and served by the
      -- running consumer of that name (which has the handlers).
      CREATE TABLE interlink.replay_requests (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer     text NOT NULL,
        stream_id    text,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        completed_at timestamptz,
        report       jsonb,
        error        text
      );
      CREATE INDEX replay_requests_pending ON interlink.replay_requests (consumer, id) WHERE started_at IS NULL;
    `,
  },
  {
    id: 'messaging/003-relay-chain-head',
    sql: `
      -- The hash of the last event published: the next batch's chain continues from it.
      ALTER TABLE interlink.relay_checkpoints ADD COLUMN hash text;
    `,
  },
  {
    id: 'messaging/004-parked-claimed-stream',
    sql: `
      -- The stream a parked message named when nothing showed that its sender wrote it (a forgery
      -- or a mangled copy): recorded to look into, but it holds no stream back (stream_id is null).
      ALTER TABLE interlink.parked_events ADD COLUMN claimed_stream_id text;
    `,
  },
  {
    id: 'messaging/005-begin-consumer-batch',
    sql: `
      -- What a consumer needs before it applies a batch from one partition, in one round trip
      -- instead of four: the lock that batches share (a replay of parked events takes it alone),
      -- the partition's checkpoint, which of the batch's events the inbox holds already, and the
      -- first unresolved parked event of each of the batch's streams. VOLATILE plpgsql: each
      -- statement after the lock reads a fresh snapshot, so it sees what a replay it waited for
      -- committed, as separate statements did. The inbox is probed once per id (see DataKeys.find
      -- on plans without table statistics).
      CREATE FUNCTION interlink.begin_consumer_batch(
        p_lock_key text, p_consumer text, p_topic text, p_partition integer, p_event_ids uuid[], p_streams text[]
      ) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        v_checkpoint bigint;
        v_applied jsonb;
        v_held jsonb;
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtextextended(p_lock_key, 0));
        SELECT c.kafka_offset INTO v_checkpoint FROM interlink.consumer_checkpoints c
         WHERE c.consumer = p_consumer AND c.topic = p_topic AND c.kafka_partition = p_partition;
        SELECT coalesce(jsonb_agg(i.event_id), '[]'::jsonb) INTO v_applied
          FROM unnest(p_event_ids) AS batch(id)
          CROSS JOIN LATERAL (SELECT x.event_id FROM interlink.inbox x WHERE x.consumer = p_consumer AND x.event_id = batch.id OFFSET 0) AS i;
        SELECT coalesce(jsonb_object_agg(h.stream_id, h.id), '{}'::jsonb) INTO v_held
          FROM (SELECT p.stream_id, min(p.id) AS id FROM interlink.parked_events p
                 WHERE p.consumer = p_consumer AND p.resolved_at IS NULL AND p.stream_id = ANY(p_streams)
                 GROUP BY p.stream_id) AS h;
        RETURN jsonb_build_object('checkpoint', v_checkpoint::text, 'applied', v_applied, 'held', v_held);
      END
      $fn$;
    `,
  },
];
