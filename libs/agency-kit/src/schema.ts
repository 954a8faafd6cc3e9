import { Migration } from '@interlink/event-store';

export const agencyKitMigrations: Migration[] = [
  {
    id: 'agency-kit/001-commands',
    sql: `
      -- Commands already executed, by the client's command id: a retry gets the first result.
      CREATE TABLE interlink.commands (
        command_id  uuid PRIMARY KEY,
        command     text NOT NULL,
        actor       text NOT NULL,
        result      jsonb NOT NULL,
        executed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    id: 'agency-kit/002-claim-command',
    sql: `
      -- A command takes its id's advisory lock, then reads whether it ran before. In one plain
      -- statement the read would use the snapshot taken before the lock was granted, and miss the
      -- result of the attempt it waited for; a VOLATILE function takes a fresh snapshot for each
      -- statement, so this one locks and then reads in one round trip.
      CREATE FUNCTION interlink.claim_command(id uuid) RETURNS TABLE (command text, result jsonb)
        LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('command:' || id::text, 0));
        RETURN QUERY SELECT c.command, c.result FROM interlink.commands c WHERE c.command_id = id;
      END $fn$;
    `,
  },
];
