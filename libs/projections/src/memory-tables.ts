import {
  DataSource,
  DeleteResult,
  EntityManager,
  EntityMetadata,
  EntityNotFoundError,
  EntityPropertyNotFoundError,
  FindOperator,
  InsertResult,
  ObjectLiteral,
  TypeORMError,
  UpdateResult,
  UpdateValuesMissingError,
} from 'typeorm';

/**
 * A projection asked for something the in-memory fold cannot do the way Postgres would (a raw
 * query, an operator, a relation, a type it does not model). The fold is then abandoned for that
 * projection and the rebuild goes event by event against the database instead.
 */
export class NotFoldableError extends Error {
  constructor(
    readonly projection: string,
    readonly call: string,
    why: string,
  ) {
    super(`projection ${projection} cannot be folded in memory: ${call} ${why}`);
    this.name = 'NotFoldableError';
  }
}

/** What Postgres would have refused (a duplicate key, a null in a NOT NULL column, bad input for a type). */
export class MemoryTableError extends Error {
  constructor(table: string, message: string) {
    super(`${table}: ${message}`);
    this.name = 'MemoryTableError';
  }
}

/** A column as the database defines it (the projection's DDL, read from the catalog). */
export interface CatalogColumn {
  name: string;
  /** `udt_name`: uuid, text, varchar, bool, int2, int4, int8, float4, float8, date, timestamptz, json, jsonb, _text, _varchar. */
  type: string;
  nullable: boolean;
  /** The column's default: a constant (as `to_json` gives it), or an expression evaluated per row, which the fold cannot reproduce. */
  default?: { value: unknown } | { expression: string };
}

export interface CatalogTable {
  columns: CatalogColumn[];
  /** Why the database would enforce more than the fold does (a unique index besides the key, a foreign key). */
  unsupported?: string;
}

/** Table name (unqualified) → its columns. */
export type Catalog = Map<string, CatalogTable>;

type Kind = 'uuid' | 'text' | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'date' | 'timestamptz' | 'json' | 'jsonb' | 'text[]';

const KINDS: Record<string, Kind> = {
  uuid: 'uuid',
  text: 'text',
  varchar: 'text',
  bool: 'bool',
  int2: 'int2',
  int4: 'int4',
  int8: 'int8',
  float4: 'float4',
  float8: 'float8',
  date: 'date',
  timestamptz: 'timestamptz',
  json: 'json',
  jsonb: 'jsonb',
  _text: 'text[]',
  _varchar: 'text[]',
};

type ColumnMeta = EntityMetadata['columns'][number];

interface Column {
  meta: ColumnMeta;
  name: string;
  kind: Kind;
  nullable: boolean;
  /** Canonical default when the insert leaves the column out; undefined: an expression the fold cannot evaluate. */
  fallback: { value: unknown } | undefined;
  defaultExpression?: string;
  /** TypeORM's preparePersistentValue gives values of this column's declared type back unchanged (PASSED_THROUGH), so the fold skips the call. */
  passedThrough: boolean;
}

/**
 * Declared column types whose values TypeORM's Postgres driver persists as they are (its
 * preparePersistentValue ends in \`return value\` for them, for columns without a transformer,
 * which the fold refuses anyway). The call builds an array on every value it does not convert,
 * about a sixth of a rebuild's allocations. A test checks each type against the driver.
 */
export const PASSED_THROUGH: ReadonlySet<unknown> = new Set<unknown>([
  String, Number, 'uuid', 'text', 'varchar', 'character varying', 'char', 'character',
  'int', 'integer', 'int2', 'int4', 'int8', 'smallint', 'bigint', 'real', 'float', 'float4', 'float8', 'double precision', 'boolean', 'bool',
]);

type Row = Record<string, unknown> & { [SEQ]: number };
const SEQ = Symbol('insertion order');

const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
/** A uuid as Postgres prints it, which is how almost every uuid arrives: kept as it is. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * Key order of a jsonb object as Postgres stores it (shorter keys first, then bytewise), so a
 * handler that reads a jsonb value back sees it as it would after a round trip.
 */
function jsonbKeyOrder(a: string, b: string): number {
  const la = Buffer.byteLength(a);
  const lb = Buffer.byteLength(b);
  if (la !== lb) return la - lb;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function normaliseJsonb(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseJsonb);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(jsonbKeyOrder)) out[key] = normaliseJsonb((value as Record<string, unknown>)[key]);
  return out;
}

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value as Record<string, unknown>) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out;
}

/** The shortest decimal that reads back as the same float4, which is what Postgres prints for a real. */
function asFloat4(n: number): number {
  const f = Math.fround(n);
  if (!Number.isFinite(f)) return f;
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  return f;
}

function copyValue(kind: Kind, value: unknown): unknown {
  if (value === null) return null;
  if (kind === 'timestamptz') return new Date((value as Date).getTime());
  if (kind === 'json' || kind === 'jsonb' || kind === 'text[]') return cloneJson(value);
  return value;
}

/** Key of a canonical value in an index: equal keys exactly when Postgres' `=` holds (null never equals). */
function indexKey(value: unknown): string {
  if (value === null) return '\u0001';
  if (value instanceof Date) return `d${value.getTime()}`;
  return `${typeof value}:${String(value)}`;
}

interface Criterion {
  column: Column;
  /** Canonical value; null for IS NULL. */
  value: unknown;
}

/** Rows of one table with indexes on the column sets that criteria use, built when first asked for. */
class Table {
  readonly rows = new Map<string, Row>();
  private readonly indexes = new Map<string, { columns: Column[]; entries: Map<string, Set<Row>> }>();
  private readonly byProperty = new Map<string, Column>();
  private readonly primary: Column[];
  private nextSeq = 0;

  constructor(
    readonly owner: MemoryTables,
    readonly name: string,
    readonly metadata: EntityMetadata,
    readonly columns: Column[],
  ) {
    for (const column of columns) this.byProperty.set(column.meta.propertyPath, column);
    this.primary = columns.filter((c) => c.meta.isPrimary);
  }

  column(property: string, call: string): Column {
    const found = this.byProperty.get(property);
    if (found) return found;
    if (this.metadata.findRelationWithPropertyPath(property) || this.metadata.findEmbeddedWithPropertyPath(property)) {
      throw this.owner.notFoldable(call, `names the relation or embedded entity "${property}" of ${this.name}`);
    }
    throw new EntityPropertyNotFoundError(property, this.metadata);
  }

  /** A value as the table would hold it after Postgres stored it and pg read it back. */
  canonical(column: Column, value: unknown, call: string): unknown {
    if (typeof value === 'function') throw this.owner.notFoldable(call, `sets ${this.name}.${column.name} to an SQL expression`);
    const persisted = column.passedThrough ? value : this.owner.dataSource.driver.preparePersistentValue(value, column.meta);
    if (persisted === null || persisted === undefined) return null;
    return this.store(column, persisted, call);
  }

  private store(column: Column, value: unknown, call: string): unknown {
    const bad = (what: string) => new MemoryTableError(this.name, `invalid input for ${column.name} (${column.kind}): ${what}`);
    const unmodelled = () => this.owner.notFoldable(call, `gives ${this.name}.${column.name} (${column.kind}) a ${value instanceof Date ? 'Date' : typeof value}, which the fold does not model`);
    switch (column.kind) {
      case 'uuid': {
        if (typeof value === 'string' && CANONICAL_UUID.test(value)) return value;
        const m = typeof value === 'string' ? UUID.exec(value) : null;
        if (!m) throw bad(`"${String(value)}" is not a uuid`);
        return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
      }
      case 'text':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
        throw unmodelled();
      case 'bool':
        if (typeof value === 'boolean') return value;
        throw unmodelled();
      case 'int2':
      case 'int4': {
        const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value) ? Number(value) : NaN;
        const limit = column.kind === 'int2' ? 32767 : 2147483647;
        if (!Number.isInteger(n) || n < -limit - 1 || n > limit) throw bad(`${JSON.stringify(value)} is not a ${column.kind}`);
        return n;
      }
      case 'int8':
        if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint' || (typeof value === 'string' && INTEGER.test(value))) {
          return BigInt(typeof value === 'string' ? value.trim() : value).toString();
        }
        throw bad(`${JSON.stringify(value)} is not an int8`);
      case 'float4':
      case 'float8': {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
        if (Number.isNaN(n) && !(typeof value === 'number' || value === 'NaN')) throw bad(`${JSON.stringify(value)} is not a number`);
        return column.kind === 'float4' ? asFloat4(n) : n;
      }
      case 'date': {
        const m = typeof value === 'string' ? DATE.exec(value) : null;
        if (!m) throw unmodelled();
        const [, y, mo, d] = m;
        const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
        if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) throw bad(`"${value}" is not a date`);
        return `${y}-${mo}-${d}`;
      }
      case 'timestamptz':
        if (!(value instanceof Date)) throw unmodelled();
        if (Number.isNaN(value.getTime())) throw bad('an invalid Date');
        return new Date(value.getTime());
      case 'json':
      case 'jsonb':
        if (typeof value !== 'string') throw unmodelled();
        return column.kind === 'jsonb' ? normaliseJsonb(JSON.parse(value)) : JSON.parse(value);
      case 'text[]':
        if (!Array.isArray(value)) throw unmodelled();
        return value.map((item) => {
          if (item === null || item === undefined) return null;
          if (typeof item === 'string') return item;
          if (typeof item === 'number' || typeof item === 'boolean') return String(item);
          throw unmodelled();
        });
    }
  }

  /** The entity TypeORM would hydrate from this row. */
  entity(row: Row): ObjectLiteral {
    const entity = this.metadata.create() as ObjectLiteral;
    const driver = this.owner.dataSource.driver;
    for (const column of this.columns) {
      column.meta.setEntityValue(entity, driver.prepareHydratedValue(copyValue(column.kind, row[column.name]), column.meta));
    }
    return entity;
  }

  private primaryKey(row: Record<string, unknown>): string {
    return this.primary.length === 1 ? indexKey(row[this.primary[0].name]) : this.primary.map((c) => indexKey(row[c.name])).join('\u0000');
  }

  private notNull(row: Record<string, unknown>): void {
    for (const column of this.columns) {
      if (row[column.name] === null && !column.nullable) {
        throw new MemoryTableError(this.name, `null value in column "${column.name}" violates not-null constraint`);
      }
    }
  }

  insert(entities: ObjectLiteral[], call: string): InsertResult {
    const fresh: Row[] = [];
    const keys = new Set<string>();
    for (const entity of entities) {
      const row = {} as Row;
      for (const column of this.columns) {
        const value = column.meta.getEntityValue(entity);
        if (value !== undefined) {
          row[column.name] = this.canonical(column, value, call);
        } else if (column.fallback) {
          row[column.name] = copyValue(column.kind, column.fallback.value);
        } else {
          throw this.owner.notFoldable(call, `leaves out ${this.name}.${column.name}, whose default ${column.defaultExpression} only the database can evaluate`);
        }
      }
      this.notNull(row);
      const key = this.primaryKey(row);
      if (this.rows.has(key) || keys.has(key)) {
        throw new MemoryTableError(this.name, `duplicate key value violates unique constraint "${this.name}_pkey": (${this.primary.map((c) => `${c.name}=${String(row[c.name])}`).join(', ')}) already exists`);
      }
      keys.add(key);
      fresh.push(row);
    }
    const result = new InsertResult();
    for (const row of fresh) {
      row[SEQ] = this.nextSeq++;
      this.rows.set(this.primaryKey(row), row);
      this.index(row);
      result.identifiers.push(Object.fromEntries(this.primary.map((c) => [c.meta.propertyPath, copyValue(c.kind, row[c.name])])));
      result.generatedMaps.push({});
    }
    this.owner.rowsChanged(fresh.length);
    return result;
  }

  /** Rows matching every criterion, in insertion order. */
  match(criteria: Criterion[]): Iterable<Row> {
    if (criteria.length === 0) return this.rows.values();
    if (criteria.length === 1 && this.primary.length === 1 && criteria[0].column === this.primary[0]) {
      const row = this.rows.get(indexKey(criteria[0].value));
      return row ? [row] : [];
    }
    if (criteria.length === this.primary.length && criteria.every((c) => c.column.meta.isPrimary)) {
      const byName = new Map(criteria.map((c) => [c.column.name, c.value]));
      const row = this.rows.get(this.primaryKey(Object.fromEntries(byName)));
      return row ? [row] : [];
    }
    const sorted = [...criteria].sort((a, b) => (a.column.name < b.column.name ? -1 : 1));
    const name = sorted.map((c) => c.column.name).join(',');
    let index = this.indexes.get(name);
    if (!index) {
      index = { columns: sorted.map((c) => c.column), entries: new Map() };
      this.indexes.set(name, index);
      for (const row of this.rows.values()) this.addTo(index, row);
    }
    const hits = index.entries.get(sorted.map((c) => indexKey(c.value)).join('\u0000'));
    if (!hits) return [];
    // IS NULL matches a null column; an equality never does, and the key of null is the same.
    const found = [...hits].filter((row) => sorted.every((c) => c.value !== null || row[c.column.name] === null));
    // A row whose indexed columns changed was added to its entry again, at the end.
    return found.length > 1 ? found.sort((a, b) => a[SEQ] - b[SEQ]) : found;
  }

  private compositeKey(columns: Column[], row: Row): string {
    return columns.map((c) => indexKey(row[c.name])).join('\u0000');
  }

  private addTo(index: { columns: Column[]; entries: Map<string, Set<Row>> }, row: Row): void {
    const key = this.compositeKey(index.columns, row);
    let set = index.entries.get(key);
    if (!set) index.entries.set(key, (set = new Set()));
    set.add(row);
  }

  private index(row: Row): void {
    for (const index of this.indexes.values()) this.addTo(index, row);
  }

  private unindex(row: Row): void {
    for (const index of this.indexes.values()) this.removeFrom(index, row);
  }

  private removeFrom(index: { columns: Column[]; entries: Map<string, Set<Row>> }, row: Row): void {
    const key = this.compositeKey(index.columns, row);
    const set = index.entries.get(key);
    set?.delete(row);
    if (set?.size === 0) index.entries.delete(key);
  }

  update(rows: Row[], changes: Map<Column, unknown>): void {
    // Rows held passed the not-null checks, so only the changed columns can fail them now (the
    // first in column order, as Postgres reports it), before any row changes.
    for (const column of this.columns) {
      if (changes.has(column) && changes.get(column) === null && !column.nullable) {
        throw new MemoryTableError(this.name, `null value in column "${column.name}" violates not-null constraint`);
      }
    }
    const primaryChanges = [...changes.keys()].some((c) => c.meta.isPrimary);
    if (primaryChanges) {
      const leaving = new Set(rows.map((row) => this.primaryKey(row)));
      const arriving = new Set<string>();
      for (const row of rows) {
        const next: Record<string, unknown> = { ...row };
        for (const [column, value] of changes) next[column.name] = value;
        const key = this.primaryKey(next);
        if (arriving.has(key) || (this.rows.has(key) && !leaving.has(key))) {
          throw new MemoryTableError(this.name, `duplicate key value violates unique constraint "${this.name}_pkey"`);
        }
        arriving.add(key);
      }
    }
    // Only the indexes on a changed column move; the rows change in place.
    const moved = [...this.indexes.values()].filter((index) => index.columns.some((c) => changes.has(c)));
    for (const row of rows) {
      for (const index of moved) this.removeFrom(index, row);
      if (primaryChanges) this.rows.delete(this.primaryKey(row));
      for (const [column, value] of changes) row[column.name] = copyValue(column.kind, value);
    }
    for (const row of rows) {
      if (primaryChanges) this.rows.set(this.primaryKey(row), row);
      for (const index of moved) this.addTo(index, row);
    }
    if (primaryChanges) this.reorder();
  }

  /** After a key changed, the map's order must stay insertion order, which ties in `order` fall back on. */
  private reorder(): void {
    const all = [...this.rows.entries()].sort((a, b) => a[1][SEQ] - b[1][SEQ]);
    this.rows.clear();
    for (const [key, row] of all) this.rows.set(key, row);
  }

  delete(rows: Row[]): void {
    for (const row of rows) {
      this.unindex(row);
      this.rows.delete(this.primaryKey(row));
    }
    this.owner.rowsChanged(-rows.length);
  }

  /** Postgres' ORDER BY for the column types whose order does not depend on a collation. */
  sort(rows: Row[], order: { column: Column; descending: boolean; nullsFirst: boolean }[]): Row[] {
    return rows.sort((a, b) => {
      for (const { column, descending, nullsFirst } of order) {
        const x = a[column.name];
        const y = b[column.name];
        if (x === y) continue;
        if (x === null || y === null) return (x === null) === nullsFirst ? -1 : 1;
        const cmp = x instanceof Date ? x.getTime() - (y as Date).getTime() : (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
        if (cmp !== 0) return descending ? -cmp : cmp;
      }
      return a[SEQ] - b[SEQ];
    });
  }
}

const ORDERABLE: ReadonlySet<Kind> = new Set(['uuid', 'bool', 'int2', 'int4', 'float4', 'float8', 'date', 'timestamptz']);

/**
 * The tables of one projection held in memory, behind an EntityManager stand-in with the subset
 * of TypeORM's API the projections use: `insert` (one or many), `update`, `delete`, `findOne`,
 * `findOneOrFail`, `findOneBy`, `findOneByOrFail`, `count` and `countBy`, with TypeORM 1.x
 * semantics (criteria are equalities on columns; null and undefined in criteria per the data
 * source's `invalidWhereValuesBehavior`, by default refused) and values as Postgres returns them
 * (uuids lower-cased, jsonb keys in jsonb order, reals as float4, dates as strings). Anything else
 * throws NotFoldableError naming the projection and the call.
 */
export class MemoryTables {
  private readonly tables = new Map<Function | string, Table>();
  private rows = 0;
  readonly manager: EntityManager;

  constructor(
    readonly projection: string,
    readonly dataSource: DataSource,
    private readonly catalog: Catalog,
  ) {
    const methods: Record<string, Function> = {
      insert: (target: Function, entity: ObjectLiteral | ObjectLiteral[]) => this.insert(target, entity),
      update: (target: Function, criteria: unknown, partial: ObjectLiteral, options?: unknown) => this.update(target, criteria, partial, options),
      delete: (target: Function, criteria: unknown) => this.delete(target, criteria),
      findOne: (target: Function, options: FindOptions) => this.findOne(target, options, 'findOne'),
      findOneOrFail: (target: Function, options: FindOptions) => this.orFail(target, this.findOne(target, options, 'findOneOrFail'), options),
      findOneBy: (target: Function, where: unknown) => this.findOne(target, { where }, 'findOneBy'),
      findOneByOrFail: (target: Function, where: unknown) => this.orFail(target, this.findOne(target, { where }, 'findOneByOrFail'), where),
      count: (target: Function, options?: FindOptions) => this.count(target, options ?? {}, 'count'),
      countBy: (target: Function, where: unknown) => this.count(target, { where }, 'countBy'),
    };
    this.manager = new Proxy({} as EntityManager, {
      get: (_, property) => {
        // Awaiting or inspecting the manager must not count as a call.
        if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
        const method = methods[property];
        if (!method) throw this.notFoldable(`EntityManager.${property}`, 'is not one of the calls the fold implements');
        return async (...args: unknown[]) => method(...args);
      },
    });
  }

  /** Rows held in every table. */
  get rowCount(): number {
    return this.rows;
  }

  rowsChanged(delta: number): void {
    this.rows += delta;
  }

  notFoldable(call: string, why: string): NotFoldableError {
    return new NotFoldableError(this.projection, call, why);
  }

  /** The tables touched so far, each with its columns (database names) and rows of canonical values. */
  *contents(): Generator<{ table: string; columns: { name: string; kind: string }[]; rows: Record<string, unknown>[] }> {
    for (const table of new Set(this.tables.values())) {
      yield { table: table.name, columns: table.columns.map((c) => ({ name: c.name, kind: c.kind })), rows: [...table.rows.values()] };
    }
  }

  private table(target: Function | string, call: string): Table {
    const known = this.tables.get(target);
    if (known) return known;
    if (typeof target === 'string' || !this.dataSource.hasMetadata(target)) {
      throw this.notFoldable(call, `names ${typeof target === 'string' ? `"${target}"` : target.name}, which is not an entity of the data source`);
    }
    const metadata = this.dataSource.getMetadata(target);
    const name = metadata.tableName;
    const catalog = this.catalog.get(name);
    if (!catalog) throw this.notFoldable(call, `touches table ${name}, which is not one of the projection's tables`);
    if (catalog.unsupported) throw this.notFoldable(call, `touches table ${name}: ${catalog.unsupported}`);
    const special = metadata.relations.length
      ? 'relations'
      : metadata.embeddeds.length
        ? 'embedded entities'
        : metadata.columns.some((c) => c.transformer || c.isGenerated || c.isCreateDate || c.isUpdateDate || c.isDeleteDate || c.isVersion || c.isVirtual)
          ? 'generated, dated, versioned, virtual or transformed columns'
          : undefined;
    if (special) throw this.notFoldable(call, `touches ${name}, whose entity has ${special}`);
    const columns: Column[] = metadata.columns.map((meta) => {
      const db = catalog.columns.find((c) => c.name === meta.databaseName);
      if (!db) throw this.notFoldable(call, `touches ${name}.${meta.databaseName}, which the table in the database does not have`);
      const kind = KINDS[db.type];
      if (!kind) throw this.notFoldable(call, `touches ${name}.${db.name} of type ${db.type}, which the fold does not model`);
      const column: Column = { meta, name: db.name, kind, nullable: db.nullable, fallback: { value: null }, passedThrough: !meta.transformer && PASSED_THROUGH.has(meta.type) };
      if (db.default && 'expression' in db.default) {
        column.fallback = undefined;
        column.defaultExpression = db.default.expression;
      } else if (db.default) {
        column.fallback = { value: this.fromJson(name, column, db.default.value) };
      }
      return column;
    });
    const missing = catalog.columns.find((c) => !columns.some((col) => col.name === c.name));
    if (missing) throw this.notFoldable(call, `touches ${name}, whose column ${missing.name} the entity ${metadata.name} does not map`);
    const table = new Table(this, name, metadata, columns);
    this.tables.set(target, table);
    return table;
  }

  /** A default as `to_json` gave it, in canonical form. */
  private fromJson(table: string, column: Column, value: unknown): unknown {
    if (value === null) return null;
    switch (column.kind) {
      case 'timestamptz':
        return new Date(value as string);
      case 'jsonb':
        return normaliseJsonb(value);
      case 'int8':
        return String(value);
      case 'float4':
        return asFloat4(Number(value));
      case 'text[]':
        return (value as unknown[]).map((v) => (v === null ? null : String(v)));
      default:
        if (column.kind === 'uuid') return String(value).toLowerCase();
        if (typeof value === 'object') throw this.notFoldable('a default', `of ${table}.${column.name} is not a scalar`);
        return value;
    }
  }

  private insert(target: Function, entity: ObjectLiteral | ObjectLiteral[]): InsertResult {
    const call = `insert(${target.name ?? target})`;
    const entities = Array.isArray(entity) ? entity : [entity];
    if (entities.length === 0) throw this.notFoldable(call, 'was given no rows');
    return this.table(target, call).insert(entities, call);
  }

  /** TypeORM's criteria for update and delete: an id, ids, or an object of column equalities. */
  private writeCriteria(table: Table, criteria: unknown, method: string, call: string): Criterion[] {
    if (typeof criteria === 'string' || typeof criteria === 'number') return this.idCriteria(table, criteria, call);
    if (criteria === undefined || criteria === null || criteria === '' || (Array.isArray(criteria) && criteria.length === 0)) {
      throw new TypeORMError(`Empty criteria(s) are not allowed for the ${method} method.`);
    }
    if (Array.isArray(criteria) || criteria instanceof FindOperator || typeof criteria !== 'object' || criteria instanceof Date) {
      throw this.notFoldable(call, 'gives criteria that are not one object of column values');
    }
    const found = this.criteria(table, criteria as Record<string, unknown>, call, '');
    if (found.length === 0) throw new TypeORMError(`Empty criteria(s) are not allowed for the ${method} method.`);
    return found;
  }

  private idCriteria(table: Table, id: string | number, call: string): Criterion[] {
    const primary = table.columns.filter((c) => c.meta.isPrimary);
    if (primary.length !== 1) throw this.notFoldable(call, `gives an id for ${table.name}, whose key has ${primary.length} columns`);
    return [{ column: primary[0], value: table.canonical(primary[0], id, call) }];
  }

  /** Equalities on columns; null and undefined as the data source's invalidWhereValuesBehavior says (TypeORM 1.x: refused). */
  private criteria(table: Table, where: Record<string, unknown>, call: string, alias: string): Criterion[] {
    const behaviour = this.dataSource.options.invalidWhereValuesBehavior ?? {};
    const out: Criterion[] = [];
    for (const [key, value] of Object.entries(where)) {
      const column = table.column(key, call);
      if (value === undefined) {
        if ((behaviour.undefined ?? 'throw') === 'throw') {
          throw new TypeORMError(
            `Undefined value encountered in property '${alias}${key}' of a where condition. ` +
              `Set 'invalidWhereValuesBehavior.undefined' to 'ignore' in connection options to skip properties with undefined values.`,
          );
        }
        continue;
      }
      if (value === null) {
        const nulls = behaviour.null ?? 'throw';
        if (nulls === 'throw') {
          throw new TypeORMError(
            `Null value encountered in property '${alias}${key}' of a where condition. ` +
              `To match with SQL NULL, the IsNull() operator must be used. ` +
              `Set 'invalidWhereValuesBehavior.null' to 'ignore' or 'sql-null' in connection options to skip or handle null values.`,
          );
        }
        if (nulls === 'sql-null') out.push({ column, value: null });
        continue;
      }
      if (value instanceof FindOperator) throw this.notFoldable(call, `uses the operator ${value.type}() on ${table.name}.${column.name}`);
      if (column.kind === 'json' || column.kind === 'jsonb' || column.kind === 'text[]') {
        throw this.notFoldable(call, `compares the ${column.kind} column ${table.name}.${column.name}`);
      }
      if (typeof value === 'object' && !(value instanceof Date)) throw this.notFoldable(call, `gives an object for ${table.name}.${column.name}`);
      // Criteria are bound as parameters without TypeORM's persistence conversions; Postgres then reads them as the column's type.
      out.push({ column, value: value instanceof Date && column.kind === 'timestamptz' ? new Date(value.getTime()) : this.whereValue(table, column, value, call) });
    }
    return out;
  }

  private whereValue(table: Table, column: Column, value: unknown, call: string): unknown {
    if (column.kind === 'jsonb' || column.kind === 'json') throw this.notFoldable(call, `compares the json column ${table.name}.${column.name}`);
    if (column.kind === 'date' && value instanceof Date) throw this.notFoldable(call, `compares the date column ${table.name}.${column.name} with a Date`);
    if (column.kind === 'timestamptz' && typeof value === 'string') throw this.notFoldable(call, `compares ${table.name}.${column.name} with a string`);
    return table.canonical(column, value, call);
  }

  private update(target: Function, criteria: unknown, partial: ObjectLiteral, options: unknown): UpdateResult {
    const call = `update(${target.name})`;
    const table = this.table(target, call);
    if (options !== undefined) throw this.notFoldable(call, 'passes options (returning)');
    const where = this.writeCriteria(table, criteria, 'update', call);
    const changes = new Map<Column, unknown>();
    for (const [key, value] of Object.entries(partial ?? {})) {
      if (value === undefined) continue;
      const column = table.column(key, call);
      changes.set(column, table.canonical(column, value, call));
    }
    if (changes.size === 0) throw new UpdateValuesMissingError();
    const rows = [...table.match(where)];
    if (rows.length) table.update(rows, changes);
    const result = new UpdateResult();
    result.raw = [];
    result.affected = rows.length;
    return result;
  }

  private delete(target: Function, criteria: unknown): DeleteResult {
    const call = `delete(${target.name})`;
    const table = this.table(target, call);
    const rows = [...table.match(this.writeCriteria(table, criteria, 'delete', call))];
    table.delete(rows);
    const result = new DeleteResult();
    result.raw = [];
    result.affected = rows.length;
    return result;
  }

  private findRows(target: Function, options: FindOptions, call: string): { table: Table; rows: Row[] } {
    const table = this.table(target, call);
    for (const key of Object.keys(options)) {
      if (key !== 'where' && key !== 'order' && (options as Record<string, unknown>)[key] !== undefined) {
        throw this.notFoldable(call, `passes the find option "${key}"`);
      }
    }
    const where = options.where ?? {};
    if (Array.isArray(where) || typeof where !== 'object' || where instanceof FindOperator) throw this.notFoldable(call, 'gives a where that is not one object of column values');
    let rows = [...table.match(this.criteria(table, where as Record<string, unknown>, call, `${table.metadata.name}.`))];
    if (options.order) rows = table.sort(rows, this.order(table, options.order, call));
    return { table, rows };
  }

  private order(table: Table, order: Record<string, unknown>, call: string) {
    return Object.entries(order)
      .filter(([, how]) => how !== undefined)
      .map(([key, how]) => {
        const column = table.column(key, call);
        if (!ORDERABLE.has(column.kind)) throw this.notFoldable(call, `orders by ${table.name}.${column.name} (${column.kind}), whose order is the database's collation's`);
        const spec: { direction?: string | number; nulls?: string } = typeof how === 'object' && how !== null ? how : { direction: how as string | number };
        const direction = String(spec.direction ?? 'ASC').toUpperCase();
        const descending = direction === 'DESC' || direction === 'DESCENDING' || direction === '-1';
        if (!descending && direction !== 'ASC' && direction !== 'ASCENDING' && direction !== '1') throw this.notFoldable(call, `orders by "${String(spec.direction)}"`);
        const nulls = spec.nulls?.toUpperCase();
        return { column, descending, nullsFirst: nulls === 'FIRST' ? true : nulls === 'LAST' ? false : descending };
      });
  }

  private findOne(target: Function, options: FindOptions, call: string): ObjectLiteral | null {
    if (!options?.where) throw new Error(`You must provide selection conditions in order to find a single row.`);
    const { table, rows } = this.findRows(target, options, `${call}(${target.name})`);
    return rows.length ? table.entity(rows[0]) : null;
  }

  private orFail(target: Function, found: ObjectLiteral | null, criteria: unknown): ObjectLiteral {
    if (found === null) throw new EntityNotFoundError(target, criteria);
    return found;
  }

  private count(target: Function, options: FindOptions, call: string): number {
    return this.findRows(target, options, `${call}(${target.name})`).rows.length;
  }
}

interface FindOptions {
  where?: unknown;
  order?: Record<string, unknown>;
}
