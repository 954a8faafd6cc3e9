import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventRegistry } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';
import { MemoryTables, NotFoldableError, Projection, maxRowsInMemory, personalDataReadBy, readCatalog, writeTables } from '@interlink/projections';
import { ArchiveReader, Range } from '../archive/archive.reader';
import { AuditedRole } from '../config';
import { READ_MODELS } from '../read-models';

export interface ReplayResult<T> {
  agency: string;
  replayed: number;
  lastSequence: number | null;
  asOf: string | null;
  result: T;
}

export interface ReplayOptions {
  /** Rows held in memory before they are written out and the rest is applied event by event (default PROJECTION_REBUILD_MAX_ROWS, else 3,000,000). */
  maxRowsInMemory?: number;
  /** How a replay says that a projection left the in-memory path, and why (default console.warn). */
  log?: (message: string) => void;
}

/**
 * Rebuilds an agency's read models from its archived log, with the agency's own projection
 * code, as of a moment or a sequence number, into a scratch schema that is dropped afterwards.
 * The events are folded through the handlers in memory (MemoryTables) and the rows written to
 * the scratch tables in bulk; a projection that needs the database is replayed event by event.
 */
export class ReplayService {
  private readonly maxRows: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: ArchiveReader,
    private readonly registry: EventRegistry,
    options: ReplayOptions = {},
  ) {
    this.maxRows = options.maxRowsInMemory ?? maxRowsInMemory();
    this.log = options.log ?? ((message) => console.warn(message));
  }

  async replay<T>(
    agency: string,
    role: AuditedRole,
    range: Range,
    query: (db: EntityManager, tables: string[]) => Promise<T>,
    onProgress?: (replayed: number) => void,
  ): Promise<ReplayResult<T>> {
    const { projections } = READ_MODELS[role];
    const schema = `replay_${randomBytes(6).toString('hex')}`;
    const tables = projections.flatMap((p) => p.tables);
    await this.dataSource.query(`CREATE SCHEMA "${schema}"`);
    try {
      await this.inSchema(schema, async (db) => {
        for (const p of projections) for (const ddl of p.schema) await db.query(ddl);
      });
      const inDatabase = new Set<string>();
      let read: { replayed: number; lastSequence: number | null };
      for (;;) {
        try {
          read = await this.fill(schema, agency, range, projections, inDatabase, onProgress);
          break;
        } catch (error) {
          if (!(error instanceof NotFoldableError)) throw error;
          // Again from the start with that projection on the database; what the others applied there goes too.
          this.log(`replay of ${agency}: ${error.message}; replaying it event by event instead`);
          inDatabase.add(error.projection);
          await this.dataSource.query(`TRUNCATE ${tables.map((t) => `"${schema}"."${t}"`).join(', ')}`);
        }
      }
      const { replayed, lastSequence } = read;
      const result = await this.inSchema(schema, (db) => query(db, tables));
      return { agency, replayed, lastSequence, asOf: range.asOf?.toISOString() ?? null, result };
    } finally {
      await this.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }

  /** Every row of every read-model table as the agency had it. */
  tables(agency: string, role: AuditedRole, range: Range, onProgress?: (n: number) => void) {
    return this.replay(agency, role, range, async (db, tables) => {
      const out: Record<string, unknown[]> = {};
      for (const table of tables) out[table] = await db.query(`SELECT * FROM "${table}" ORDER BY 1`);
      return out;
    }, onProgress);
  }

  /**
   * What the agency knew about a passport number (or any term) at that moment: the rows of its
   * read models that mention it, compared without spaces, dashes or case.
   */
  knowledge(agency: string, role: AuditedRole, range: Range, term: string) {
    const needle = normalisePassport(term);
    if (needle.length < 3) throw new Error(`"${term}" is too short to look for: give a passport number or name of 3 or more letters and digits`);
    return this.replay(agency, role, range, async (db, tables) => {
      const out: Record<string, unknown[]> = {};
      for (const table of tables) {
        const rows = await db.query(
          `SELECT * FROM "${table}" t WHERE regexp_replace(upper(t::text), '[^A-Z0-9]', '', 'g') LIKE '%' || $1 || '%' ORDER BY 1`,
          [needle],
        );
        if (rows.length) out[table] = rows;
      }
      return out;
    });
  }

  /**
   * Applies the archived events to the scratch tables: the projections not in `inDatabase` fold
   * them in memory, the others event by event in the schema, 1000 events per transaction. Past
   * `maxRows` rows held, they are written out and the rest goes event by event too.
   */
  private async fill(
    schema: string,
    agency: string,
    range: Range,
    projections: Projection[],
    inDatabase: Set<string>,
    onProgress?: (replayed: number) => void,
  ): Promise<{ replayed: number; lastSequence: number | null }> {
    const catalog = await readCatalog(this.dataSource.manager, schema, projections.flatMap((p) => p.tables));
    let folded = projections.filter((p) => !inDatabase.has(p.name)).map((p) => ({ projection: p, tables: new MemoryTables(p.name, this.dataSource, catalog) }));
    let applied = projections.filter((p) => inDatabase.has(p.name));
    // The scratch schema is this replay's alone (dropped when it ends): its rows go over two
    // connections at once, as a rebuild's do.
    const writeOut = async () => {
      for (const { tables } of folded) await writeTables(this.dataSource, schema, tables, 2);
    };
    let replayed = 0;
    let lastSequence: number | null = null;
    let batch: EventEnvelope[] = [];
    const flush = async () => {
      const events = batch;
      batch = [];
      for (const event of events) {
        for (const { projection, tables } of folded) await projection.handlers[event.type]?.(event, tables.manager);
      }
      if (applied.length) {
        await this.inSchema(schema, async (db) => {
          for (const event of events) {
            for (const p of applied) await p.handlers[event.type]?.(event, db);
          }
        });
      }
      const held = folded.reduce((n, { tables }) => n + tables.rowCount, 0);
      if (held > this.maxRows) {
        this.log(`replay of ${agency}: ${held} rows held in memory, more than the ${this.maxRows} allowed (PROJECTION_REBUILD_MAX_ROWS); writing them out and applying the rest event by event`);
        await writeOut();
        applied = projections;
        folded = [];
      }
      onProgress?.(replayed);
    };
    // Only the events whose personal data a projection reads are opened (see readsPersonalData).
    for await (const envelope of this.reader.events(agency, range, { open: personalDataReadBy(projections) })) {
      batch.push(this.registry.upcast(envelope));
      replayed++;
      lastSequence = envelope.sequence ?? lastSequence;
      if (batch.length >= 1000) await flush();
    }
    await flush();
    await writeOut();
    return { replayed, lastSequence };
  }

  private inSchema<T>(schema: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`SET LOCAL search_path TO "${schema}"`);
      return work(db);
    });
  }
}
