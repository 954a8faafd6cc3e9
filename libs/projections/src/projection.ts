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
  /**
   * The event types whose personal data its handlers read. Their sealed parts are opened with the
   * agency's keys before a handler sees them; the events of its other types come with their
   * personal data still sealed (`{ ref, sealed, ...kept fields }`), which spares an AES-GCM
   * decryption per part when the log is read. Kept fields (a person's nationality, a match's
   * reason and score) read the same either way. Default: every type it handles.
   */
  readsPersonalData?: string[];
}

export function defineProjection(projection: Projection): Projection {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(projection.name)) {
    throw new Error(`projection name "${projection.name}" must be lower-case letters, digits and underscores`);
  }
  for (const table of projection.tables) {
    if (!/^[a-z][a-z0-9_]{0,60}$/.test(table)) throw new Error(`table name "${table}" of projection ${projection.name} is not a plain identifier`);
  }
  const unhandled = (projection.readsPersonalData ?? []).filter((type) => !projection.handlers[type]);
  if (unhandled.length) {
    throw new Error(`projection ${projection.name} says it reads the personal data of ${unhandled.join(', ')}, which it has no handler for`);
  }
  return projection;
}

/**
 * Which events a read of the log for these projections must open (see readsPersonalData): those
 * of a type one of them handles and reads the personal data of. Events no handler takes stay sealed.
 */
export function personalDataReadBy(projections: readonly Projection[]): (type: string) => boolean {
  const opened = new Set<string>();
  for (const projection of projections) {
    for (const type of projection.readsPersonalData ?? Object.keys(projection.handlers)) opened.add(type);
  }
  return (type) => opened.has(type);
}
