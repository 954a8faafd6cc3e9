import { EntityManager } from 'typeorm';
import { EventEnvelope } from '@interlink/contracts';

export type ProjectionHandler = (event: EventEnvelope<any>, db: EntityManager) => Promise<void>;

/**
 * A read model kept up to date from the agency's log: a table of rules, one handler per event
 * type it cares about. Its tables are created by `schema` with unqualified names, because a
 * rebuild creates them in a fresh schema first and swaps them in when it has caught up.
 */
export interface Projection {
  /** Stable name; also the key of its checkpoint. Lower-case letters, digits and underscores. */
  name: string;
  /** Its tables' names (unqualified), moved together when a rebuild is swapped in. */
  tables: string[];
  /** DDL creating its tables, unqualified, run with the target schema first on the search path. */
  schema: string[];
  handlers: Record<string, ProjectionHandler>;
}

export function defineProjection(projection: Projection): Projection {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(projection.name)) {
    throw new Error(`projection name "${projection.name}" must be lower-case letters, digits and underscores`);
  }
  for (const table of projection.tables) {
    if (!/^[a-z][a-z0-9_]{0,60}$/.test(table)) throw new Error(`table name "${table}" of projection ${projection.name} is not a plain identifier`);
  }
  return projection;
}
