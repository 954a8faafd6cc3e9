import { randomUUID } from 'node:crypto';
import { EventStore, migrate } from '@interlink/event-store';
import { TestDatabase, caseFileRegistry, createTestDatabase, waitFor } from '@interlink/testing';
import { CommandIdReused, CommandService } from './command.service';
import { AgencyConfig } from './config';
import { agencyKitMigrations } from './schema';

// A command takes its id's lock and reads its earlier result in one round trip
// (interlink.claim_command). Two attempts of one command at once: the second waits for the first
// and answers with its result, and the work runs once.

describe('CommandService: attempts of one command at once (real Postgres)', () => {
  let db: TestDatabase;
  let commands: CommandService;

  beforeAll(async () => {
    db = await createTestDatabase('command_service');
    await migrate(db.dataSource, agencyKitMigrations);
    const config = { agencyId: 'police', role: 'police', partners: {} } as unknown as AgencyConfig;
    commands = new CommandService(db.dataSource, new EventStore(db.dataSource, caseFileRegistry(), 'police'), config);
  });
  afterAll(() => db.drop());

  it('a retry that arrives while the first attempt runs waits for it and answers with its result; the work runs once', async () => {
    const commandId = randomUUID();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const work = async () => {
      runs += 1;
      await gate;
      return { run: runs };
    };
    const first = commands.execute({ commandId, command: 'add-note', user: 'officer-7' }, work);
    await waitFor('the first attempt to run', () => runs === 1);
    const retry = commands.execute({ commandId, command: 'add-note', user: 'officer-7' }, work);
    await waitFor('the retry to wait for the command id lock', async () => {
      const [{ waiting }] = await db.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      return waiting > 0;
    });
    release();
    expect(await first).toEqual({ result: { run: 1 }, replayed: false });
    expect(await retry).toEqual({ result: { run: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('takes a command id in any letter case as the same command', async () => {
    const commandId = randomUUID();
    await commands.execute({ commandId, command: 'add-note', user: 'officer-7' }, async () => ({ done: true }));
    await expect(commands.execute({ commandId: commandId.toUpperCase(), command: 'add-note', user: 'officer-7' }, async () => ({ done: false }))).resolves.toEqual({
      result: { done: true },
      replayed: true,
    });
  });

  it('refuses a command id used before for another command, naming both', async () => {
    const commandId = randomUUID();
    await commands.execute({ commandId, command: 'add-note', user: 'officer-7' }, async () => ({ done: true }));
    const reused = commands.execute({ commandId, command: 'close-case', user: 'officer-7' }, async () => ({ done: true }));
    await expect(reused).rejects.toThrow(CommandIdReused);
    await expect(reused).rejects.toThrow(`command id ${commandId} was already used for "add-note"; use a new command id for "close-case"`);
  });
});
