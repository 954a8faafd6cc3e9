import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventRegistry } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';
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

/**
 * Rebuilds an agency's read models from its archived log, with the agency's own projection
 * code, as of a moment or a sequence number, into a scratch schema that is dropped afterwards.
 */
export class ReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: ArchiveReader,
    private readonly registry: EventRegistry,
  ) {}

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
      let replayed = 0;
      let lastSequence: number | null = null;
      let batch: ReturnType<EventRegistry['upcast']>[] = [];
      const flush = async () => {
        const events = batch;
        batch = [];
        await this.inSchema(schema, async (db) => {
          for (const event of events) {
            for (const p of projections) await p.handlers[event.type]?.(event, db);
          }
        });
        onProgress?.(replayed);
      };
      for await (const envelope of this.reader.events(agency, range)) {
        batch.push(this.registry.upcast(envelope));
        replayed++;
        lastSequence = envelope.sequence ?? lastSequence;
        if (batch.length >= 1000) await flush();
      }
      await flush();
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

  private inSchema<T>(schema: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`SET LOCAL search_path TO "${schema}"`);
      return work(db);
    });
  }
}
