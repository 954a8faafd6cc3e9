import { Migration } from '@interlink/event-store';

/** Channel on which a committed feed row is announced (payload: its seq), for the live feeds. */
export const FEED_CHANNEL = 'console_feed';

/** Tables derived from the feed; the feed itself is what was received, and is never rebuilt. */
export const DERIVED_TABLES = ['relations', 'suspects', 'syndicates', 'raids', 'rescues', 'alerts', 'victim_cases'] as const;

/**
 * The console's read model, in schema `console`. `feed` holds every event released to the task
 * force, as received (personal data as the sender released it), numbered in commit order; the
 * other tables are projections of the feed for the dashboards and dossiers.
 */
export const consoleMigrations: Migration[] = [
  {
    id: 'task-force-console/001-read-model',
    sql: `
      CREATE SCHEMA IF NOT EXISTS console;

      CREATE TABLE console.feed (
        seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        uuid NOT NULL UNIQUE,
        agency          text NOT NULL,
        role            text NOT NULL,
        type            text NOT NULL,
        classification  text NOT NULL,
        handling        text[] NOT NULL DEFAULT '{}',
        subject         text NOT NULL,
        event_time      timestamptz NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        correlation_id  uuid NOT NULL,
        causation_id    uuid NOT NULL,
        actor           text NOT NULL,
        sequence        bigint,
        sentence        text NOT NULL,
        countries       text[] NOT NULL DEFAULT '{}',
        primary_entity  text,
        entities        text[] NOT NULL DEFAULT '{}',
        data            jsonb NOT NULL,
        withdrawn_at    timestamptz,
        withdrawn_reason text
      );
      CREATE INDEX feed_agency ON console.feed (agency, seq);
      CREATE INDEX feed_type ON console.feed (type, seq);
      CREATE INDEX feed_classification ON console.feed (classification, seq);
      CREATE INDEX feed_countries ON console.feed USING gin (countries);
      CREATE INDEX feed_entities ON console.feed USING gin (entities);
      CREATE INDEX feed_primary ON console.feed (primary_entity);
      CREATE INDEX feed_correlation ON console.feed (correlation_id);

      CREATE TABLE console.relations (
        event_id    uuid NOT NULL,
        from_entity text NOT NULL,
        to_entity   text NOT NULL,
        relation    text NOT NULL,
        match       jsonb,
        event_seq   bigint NOT NULL,
        PRIMARY KEY (event_id, from_entity, to_entity, relation)
      );
      CREATE INDEX relations_from ON console.relations (from_entity);
      CREATE INDEX relations_to ON console.relations (to_entity);

      CREATE TABLE console.suspects (
        entity          text PRIMARY KEY,
        agency          text NOT NULL,
        suspect_id      uuid NOT NULL,
        syndicate       text,
        role            text,
        status          text NOT NULL,
        person          jsonb,
        nationality     text,
        sightings       integer NOT NULL DEFAULT 0,
        last_seen_checkpoint text,
        last_seen_at    timestamptz,
        first_seen      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      );
      CREATE INDEX suspects_syndicate ON console.suspects (syndicate);

      CREATE TABLE console.syndicates (
        entity       text PRIMARY KEY,
        agency       text NOT NULL,
        syndicate_id uuid NOT NULL,
        name         text,
        scam_types   text[] NOT NULL DEFAULT '{}',
        countries    text[] NOT NULL DEFAULT '{}',
        updated_at   timestamptz NOT NULL
      );

      CREATE TABLE console.raids (
        entity       text PRIMARY KEY,
        agency       text NOT NULL,
        raid_id      uuid NOT NULL,
        syndicate    text,
        place        text,
        city         text,
        country      text,
        conducted_on date,
        updated_at   timestamptz NOT NULL
      );
      CREATE INDEX raids_syndicate ON console.raids (syndicate);

      CREATE TABLE console.rescues (
        entity     text PRIMARY KEY,
        agency     text NOT NULL,
        rescue_id  uuid NOT NULL,
        raid       text,
        place      text,
        country    text,
        rescued_on date,
        persons    integer NOT NULL,
        updated_at timestamptz NOT NULL
      );

      CREATE TABLE console.alerts (
        entity      text PRIMARY KEY,
        agency      text NOT NULL,
        alert_id    uuid NOT NULL,
        checkpoint  text,
        direction   text,
        crossed_at  timestamptz,
        status      text NOT NULL,
        suspect     text,
        match       jsonb,
        traveller   jsonb,
        updated_at  timestamptz NOT NULL
      );
      CREATE INDEX alerts_suspect ON console.alerts (suspect);

      CREATE TABLE console.victim_cases (
        entity          text PRIMARY KEY,
        agency          text NOT NULL,
        case_id         uuid NOT NULL,
        person          jsonb,
        country         text,
        status          text NOT NULL,
        under_review    boolean NOT NULL DEFAULT false,
        reclassified_as text,
        reported_on     date,
        rescued_on      date,
        returned_on     date,
        closed_on       date,
        first_seen      date NOT NULL,
        updated_at      timestamptz NOT NULL
      );
    `,
  },
];
