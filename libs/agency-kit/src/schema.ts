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
];
