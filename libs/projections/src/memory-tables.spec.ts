import { Column, DataSource, DataSourceOptions, Entity, EntityNotFoundError, EntityPropertyNotFoundError, In, PrimaryColumn, TypeORMError, UpdateValuesMissingError } from 'typeorm';
import { Catalog, MemoryTableError, MemoryTables, NotFoldableError, PASSED_THROUGH } from './memory-tables';

@Entity('people')
class PersonRow {
  @PrimaryColumn('uuid', { name: 'person_id' }) personId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) city!: string | null;
  @Column('date', { name: 'born_on', nullable: true }) bornOn!: string | null;
  @Column('jsonb') tags!: Record<string, unknown>;
  @Column('text', { array: true }) keys!: string[];
  @Column('int') visits!: number;
  @Column('boolean') active!: boolean;
}

@Entity('visits')
class VisitRow {
  @PrimaryColumn('uuid', { name: 'visit_id' }) visitId!: string;
  @Column('uuid', { name: 'person_id' }) personId!: string;
  @Column('timestamptz', { name: 'seen_at', nullable: true }) seenAt!: Date | null;
  @Column('real') score!: number;
  @Column('boolean') withdrawn!: boolean;
  @Column('timestamptz', { name: 'logged_at' }) loggedAt!: Date;
}

@Entity('elsewhere')
class ElsewhereRow {
  @PrimaryColumn('uuid') id!: string;
}

/** The tables as their DDL would define them (what readCatalog gives for a real schema). */
const catalog = (): Catalog =>
  new Map([
    [
      'people',
      {
        columns: [
          { name: 'person_id', type: 'uuid', nullable: false },
          { name: 'name', type: 'text', nullable: false },
          { name: 'city', type: 'text', nullable: true },
          { name: 'born_on', type: 'date', nullable: true },
          { name: 'tags', type: 'jsonb', nullable: false, default: { value: {} } },
          { name: 'keys', type: '_text', nullable: false, default: { value: [] } },
          { name: 'visits', type: 'int4', nullable: false, default: { value: 0 } },
          { name: 'active', type: 'bool', nullable: false, default: { value: true } },
        ],
      },
    ],
    [
      'visits',
      {
        columns: [
          { name: 'visit_id', type: 'uuid', nullable: false },
          { name: 'person_id', type: 'uuid', nullable: false },
          { name: 'seen_at', type: 'timestamptz', nullable: true },
          { name: 'score', type: 'float4', nullable: false },
          { name: 'withdrawn', type: 'bool', nullable: false, default: { value: false } },
          { name: 'logged_at', type: 'timestamptz', nullable: false, default: { expression: 'now()' } },
        ],
      },
    ],
  ]);

const P1 = '018f3f5e-1c2d-7a00-8000-000000000001';
const P2 = '018f3f5e-1c2d-7a00-8000-000000000002';
const visit = (n: number) => `018f3f5e-1c2d-7a00-8000-0000000001${String(n).padStart(2, '0')}`;
const LOGGED = new Date('2026-01-01T00:00:00Z');

async function metadataOnly(options: Partial<DataSourceOptions> = {}): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', entities: [PersonRow, VisitRow, ElsewhereRow], ...options } as DataSourceOptions);
  // Entity metadata without a connection: what initialize() builds before it connects.
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return dataSource;
}

describe('MemoryTables (in-memory stand-in for the EntityManager calls projections make)', () => {
  let tables: MemoryTables;
  beforeEach(async () => {
    tables = new MemoryTables('people', await metadataOnly(), catalog());
  });
  const db = () => tables.manager;

  it('reads back what it stored as Postgres would return it: uuids lower-cased, jsonb keys in jsonb order, dates as strings, reals as float4', async () => {
    await db().insert(PersonRow, { personId: P1.toUpperCase(), name: 'Siti', city: null, bornOn: '1990-02-03', tags: { zz: 1, a: { y: 2, b: 3 }, b: [1] }, keys: ['A1'], visits: 2, active: true });
    await db().insert(VisitRow, { visitId: visit(1), personId: P1, seenAt: '2026-02-01T10:00:00.123Z' as unknown as Date, score: 0.1, loggedAt: LOGGED });

    const person = await db().findOneByOrFail(PersonRow, { personId: P1 });
    expect(person).toBeInstanceOf(PersonRow);
    expect(person).toEqual({ personId: P1, name: 'Siti', city: null, bornOn: '1990-02-03', tags: { a: { b: 3, y: 2 }, b: [1], zz: 1 }, keys: ['A1'], visits: 2, active: true });
    expect(Object.keys(person.tags)).toEqual(['a', 'b', 'zz']);
    const seen = await db().findOneByOrFail(VisitRow, { visitId: visit(1) });
    expect(seen.seenAt).toEqual(new Date('2026-02-01T10:00:00.123Z'));
    expect(seen.score).toBe(0.1);
    await db().update(VisitRow, { visitId: visit(1) }, { score: 0.123456789 });
    expect((await db().findOneByOrFail(VisitRow, { visitId: visit(1) })).score).toBe(0.12345679);
  });

  it('turns a Date given for a date column into the local calendar day, as TypeORM does', async () => {
    await db().insert(PersonRow, { personId: P1, name: 'Siti', bornOn: new Date(1990, 1, 3, 15, 30) as unknown as string });
    expect((await db().findOneByOrFail(PersonRow, { personId: P1 })).bornOn).toBe('1990-02-03');
  });

  it('hands out copies: changing what a find returned changes nothing held', async () => {
    await db().insert(PersonRow, { personId: P1, name: 'Siti', tags: { a: [1] }, keys: ['K'] });
    const first = await db().findOneByOrFail(PersonRow, { personId: P1 });
    (first.tags.a as number[]).push(2);
    first.keys.push('L');
    first.name = 'changed';
    expect(await db().findOneByOrFail(PersonRow, { personId: P1 })).toMatchObject({ name: 'Siti', tags: { a: [1] }, keys: ['K'] });
  });

  it('fills the columns an insert leaves out with their defaults, and refuses what the table would refuse', async () => {
    await db().insert(PersonRow, { personId: P1, name: 'Siti' });
    expect(await db().findOneByOrFail(PersonRow, { personId: P1 })).toEqual({ personId: P1, name: 'Siti', city: null, bornOn: null, tags: {}, keys: [], visits: 0, active: true });

    await expect(db().insert(PersonRow, { personId: P1, name: 'Again' })).rejects.toThrow(new MemoryTableError('people', `duplicate key value violates unique constraint "people_pkey": (person_id=${P1}) already exists`));
    await expect(db().insert(PersonRow, { personId: P2, name: null as unknown as string })).rejects.toThrow('people: null value in column "name" violates not-null constraint');
    await expect(db().insert(PersonRow, { personId: 'not-a-uuid', name: 'X' })).rejects.toThrow('people: invalid input for person_id (uuid): "not-a-uuid" is not a uuid');
    await expect(db().insert(PersonRow, { personId: P2, name: 'X', visits: 1.5 })).rejects.toThrow('people: invalid input for visits (int4): 1.5 is not a int4');
    // A multi-row insert is one statement: a bad row keeps the good ones out too.
    await expect(db().insert(PersonRow, [{ personId: P2, name: 'Good' }, { personId: P1, name: 'Duplicate' }])).rejects.toThrow(MemoryTableError);
    expect(await db().count(PersonRow, { where: {} })).toBe(1);
    expect(tables.rowCount).toBe(1);
  });

  it('updates only the columns a partial gives (undefined ones are skipped), and keeps the indexes it built in step', async () => {
    await db().insert(VisitRow, [1, 2, 3].map((n) => ({ visitId: visit(n), personId: P1, seenAt: new Date(n * 1000), score: 1, withdrawn: false, loggedAt: LOGGED })));
    expect(await db().count(VisitRow, { where: { personId: P1, withdrawn: false } })).toBe(3);

    const result = await db().update(VisitRow, { visitId: visit(2) }, { withdrawn: true, score: undefined });
    expect(result.affected).toBe(1);
    expect(await db().count(VisitRow, { where: { personId: P1, withdrawn: false } })).toBe(2);
    expect(await db().countBy(VisitRow, { personId: P1, withdrawn: true })).toBe(1);
    expect((await db().findOneByOrFail(VisitRow, { visitId: visit(2) })).score).toBe(1);
    expect((await db().update(VisitRow, { personId: P2 }, { withdrawn: true })).affected).toBe(0);
    expect((await db().update(VisitRow, { personId: P1 }, { personId: P2 })).affected).toBe(3);
    expect(await db().countBy(VisitRow, { personId: P2 })).toBe(3);
  });

  it('finds rows in the order they were inserted, also after updates moved them in an index', async () => {
    await db().insert(VisitRow, [1, 2, 3].map((n) => ({ visitId: visit(n), personId: P1, score: n, withdrawn: false, loggedAt: LOGGED })));
    const firstOpen = async () => (await db().findOneOrFail(VisitRow, { where: { personId: P1, withdrawn: false } })).visitId;
    expect(await firstOpen()).toBe(visit(1));
    await db().update(VisitRow, { visitId: visit(1) }, { withdrawn: true });
    expect(await firstOpen()).toBe(visit(2));
    await db().update(VisitRow, { visitId: visit(1) }, { withdrawn: false });
    await db().update(VisitRow, { visitId: visit(2) }, { score: 20 });
    expect(await firstOpen()).toBe(visit(1));
    expect(await db().count(VisitRow, { where: { personId: P1, withdrawn: false } })).toBe(3);
  });

  it('refuses an update that would put null in a NOT NULL column, naming the first such column, and changes no row', async () => {
    await db().insert(VisitRow, [1, 2].map((n) => ({ visitId: visit(n), personId: P1, score: n, withdrawn: false, loggedAt: LOGGED })));
    await expect(db().update(VisitRow, { personId: P1 }, { withdrawn: null as unknown as boolean, score: null as unknown as number })).rejects.toThrow(
      new MemoryTableError('visits', 'null value in column "score" violates not-null constraint'),
    );
    for (const n of [1, 2]) expect(await db().findOneByOrFail(VisitRow, { visitId: visit(n) })).toMatchObject({ score: n, withdrawn: false });
    // Postgres checks rows, not the statement: nothing matched, nothing refused.
    expect((await db().update(VisitRow, { personId: P2 }, { score: null as unknown as number })).affected).toBe(0);
  });

  it('skips preparePersistentValue only for declared types the driver gives back unchanged', async () => {
    const { driver } = await metadataOnly();
    for (const type of PASSED_THROUGH) {
      for (const value of ['018f3f5e-1c2d-7a00-8000-000000000001', 'text', 42, -1.5, true, false]) {
        expect(driver.preparePersistentValue(value, { type } as Parameters<typeof driver.preparePersistentValue>[1])).toBe(value);
      }
    }
    // Types it converts (or whose conversions the fold relies on) are not among them.
    for (const type of [Boolean, Date, 'date', 'timestamptz', 'json', 'jsonb', 'simple-array', 'simple-json', 'enum']) expect(PASSED_THROUGH.has(type)).toBe(false);
  });

  it("follows TypeORM 1.x on criteria and partials: null and undefined refused, empty criteria refused, nothing to set refused, unknown properties named", async () => {
    await db().insert(PersonRow, { personId: P1, name: 'Siti' });
    await expect(db().update(PersonRow, { personId: undefined }, { name: 'X' })).rejects.toThrow(/Undefined value encountered in property 'personId'/);
    await expect(db().findOneBy(PersonRow, { city: null as unknown as string })).rejects.toThrow(/Null value encountered in property 'PersonRow.city'/);
    await expect(db().delete(PersonRow, {})).rejects.toThrow(new TypeORMError('Empty criteria(s) are not allowed for the delete method.'));
    await expect(db().update(PersonRow, { personId: P1 }, { name: undefined })).rejects.toThrow(UpdateValuesMissingError);
    await expect(db().update(PersonRow, { personId: P1 }, { nickname: 'S' } as never)).rejects.toThrow(EntityPropertyNotFoundError);
    await expect(db().findOne(PersonRow, {} as never)).rejects.toThrow('You must provide selection conditions in order to find a single row.');
    expect(await db().findOneBy(PersonRow, { personId: P2 })).toBeNull();
    await expect(db().findOneByOrFail(PersonRow, { personId: P2 })).rejects.toThrow(EntityNotFoundError);
    expect((await db().update(PersonRow, P1, { city: 'Ipoh' })).affected).toBe(1);
    expect((await db().findOneByOrFail(PersonRow, { personId: P1 })).city).toBe('Ipoh');
  });

  it("matches null with IS NULL, or skips it, when the data source's invalidWhereValuesBehavior says so", async () => {
    const sqlNull = new MemoryTables('people', await metadataOnly({ invalidWhereValuesBehavior: { null: 'sql-null', undefined: 'ignore' } }), catalog());
    await sqlNull.manager.insert(PersonRow, [{ personId: P1, name: 'A', city: null }, { personId: P2, name: 'B', city: 'Ipoh' }]);
    expect((await sqlNull.manager.findOneByOrFail(PersonRow, { city: null as unknown as string })).personId).toBe(P1);
    expect(await sqlNull.manager.count(PersonRow, { where: { city: undefined, name: 'B' } })).toBe(1);
  });

  it('orders as Postgres does: DESC puts nulls first unless told otherwise, and ties keep the order rows were inserted in', async () => {
    const at = (n: number | null) => (n === null ? null : new Date(Date.UTC(2026, 0, n)));
    const rows = [
      [1, at(5)],
      [2, at(9)],
      [3, null],
      [4, at(9)],
      [5, at(1)],
    ] as const;
    await db().insert(VisitRow, rows.map(([n, seenAt]) => ({ visitId: visit(n), personId: P1, seenAt, score: n, loggedAt: LOGGED })));
    const first = async (order: Record<string, unknown>) => (await db().findOne(VisitRow, { where: { personId: P1 }, order }))!.visitId;
    expect(await first({ seenAt: 'DESC' })).toBe(visit(3));
    expect(await first({ seenAt: { direction: 'desc', nulls: 'LAST' } })).toBe(visit(2));
    expect(await first({ seenAt: 'ASC' })).toBe(visit(5));
    expect(await first({ seenAt: 'ASC', score: -1 })).toBe(visit(5));
    await db().update(VisitRow, { visitId: visit(3) }, { withdrawn: true });
    expect((await db().findOne(VisitRow, { where: { personId: P1, withdrawn: false }, order: { seenAt: 'DESC' } }))!.visitId).toBe(visit(2));
  });

  it('deletes by criteria and forgets the rows everywhere', async () => {
    await db().insert(VisitRow, [1, 2].map((n) => ({ visitId: visit(n), personId: P1, score: 1, loggedAt: LOGGED })));
    expect(await db().countBy(VisitRow, { personId: P1 })).toBe(2);
    expect((await db().delete(VisitRow, { visitId: visit(1) })).affected).toBe(1);
    expect(await db().countBy(VisitRow, { personId: P1 })).toBe(1);
    expect(tables.rowCount).toBe(1);
    expect([...tables.contents()].find((t) => t.table === 'visits')!.rows).toHaveLength(1);
  });

  it('refuses, naming the projection and the call, what only the database can do', async () => {
    const refused = async (work: () => Promise<unknown>, call: RegExp) => {
      const error = await Promise.resolve()
        .then(work)
        .then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoldableError);
      expect((error as NotFoldableError).projection).toBe('people');
      expect((error as Error).message).toMatch(call);
    };
    await db().insert(PersonRow, { personId: P1, name: 'Siti' });
    await refused(() => db().query('SELECT 1'), /^projection people cannot be folded in memory: EntityManager.query is not one of the calls the fold implements$/);
    await refused(async () => db().getRepository(PersonRow), /EntityManager.getRepository/);
    await refused(() => db().findOneBy(PersonRow, { personId: In([P1]) }), /findOneBy\(PersonRow\) uses the operator in\(\) on people.person_id/);
    await refused(() => db().findOne(PersonRow, { where: { personId: P1 }, order: { name: 'ASC' } }), /orders by people.name \(text\)/);
    await refused(() => db().findOne(PersonRow, { where: { personId: P1 }, relations: ['friends'] as never }), /passes the find option "relations"/);
    await refused(() => db().insert(VisitRow, { visitId: visit(1), personId: P1, score: 1 }), /leaves out visits.logged_at, whose default now\(\) only the database can evaluate/);
    await refused(() => db().insert(ElsewhereRow, { id: P1 }), /touches table elsewhere, which is not one of the projection's tables/);
    await refused(() => db().update(PersonRow, { personId: P1 }, { visits: () => 'visits + 1' }), /sets people.visits to an SQL expression/);
    await refused(() => db().update(PersonRow, { tags: {} } as never, { name: 'X' }), /compares the jsonb column people.tags/);
  });
});
