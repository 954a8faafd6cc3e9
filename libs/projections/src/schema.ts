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
];
