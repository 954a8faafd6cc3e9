import { Migration, dataKeysMigration } from '@interlink/event-store';

export const archiveMigrations: Migration[] = [
  {
    id: 'audit/001-archive',
    sql: `
      CREATE SCHEMA IF NOT EXISTS audit;
      -- Every record of every audited agency's feed, exactly as it arrived: the raw bytes for
      -- tamper evidence, the parsed envelope (when it parses) for queries.
      CREATE TABLE audit.archive (
        topic           text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset    bigint NOT NULL,
        agency          text NOT NULL,
        raw             bytea,
        envelope        jsonb,
        sequence        bigint,
        event_id        uuid,
        type            text,
        subject         text,
        event_time      timestamptz,
        received_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, kafka_partition, kafka_offset)
      );
      CREATE INDEX archive_agency_order ON audit.archive (agency, kafka_partition, kafka_offset);
      CREATE INDEX archive_agency_sequence ON audit.archive (agency, sequence);
      CREATE INDEX archive_subject ON audit.archive (subject);
      CREATE INDEX archive_time ON audit.archive (agency, event_time);
    `,
  },
  {
    id: 'audit/002-access-log',
    sql: `
      -- Auditors read personal data too: who, what, when and why, like every agency's access log.
      CREATE TABLE audit.access_log (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reader    text NOT NULL,
        request   text NOT NULL,
        purpose   text NOT NULL,
        read_at   timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  // The data keys the audited agencies deliver, to open the sealed personal data in the archive.
  dataKeysMigration(),
  {
    id: 'audit/003-archive-unreadable',
    sql: `
      -- Why a record is kept as raw bytes only (not JSON, nested too deep, text Postgres cannot
      -- store...): it is archived all the same, and verification reports it where it stands.
      ALTER TABLE audit.archive ADD COLUMN unreadable text;
    `,
  },
];
