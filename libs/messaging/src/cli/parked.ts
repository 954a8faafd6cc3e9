// `npm run parked -- <list|replay|discard> [options]`: see the usage text below.
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createDataSource } from '@interlink/event-store';
import { discardParkedEvent, listParkedEvents } from '../parked';
import { REPLAY_CHANNEL } from '../schema';

const USAGE = `usage: npm run parked -- <command> [options]

commands:
  list      show parked events (unresolved; --all for resolved too)
  replay    ask the running consumer --consumer to apply its parked events again, in order,
            and wait for its report (--stream to replay one stream only)
  discard   give up on parked event --id for good, with --note saying why; its stream is released

options:
  --database-url URL   the agency's database (default: DATABASE_URL)
  --consumer NAME      consumer name (required for replay and discard)
  --stream ID          only this stream
  --id N               parked event number (discard)
  --note TEXT          why it is discarded (discard)
  --all                list resolved events too
  --timeout SECONDS    how long replay waits for the consumer (default 60)
  --json               machine-readable output`;

class UsageError extends Error {}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      'database-url': { type: 'string' },
      consumer: { type: 'string' },
      stream: { type: 'string' },
      id: { type: 'string' },
      note: { type: 'string' },
      all: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '60' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help) return { command: 'help' as const, values };
  if (!command) throw new UsageError('say which command: list, replay or discard');
  if (!['list', 'replay', 'discard'].includes(command)) throw new UsageError(`unknown command "${command}": use list, replay or discard`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new UsageError('give the database with --database-url or DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError(`"${databaseUrl}" is not a postgres:// URL`);
  if ((command === 'replay' || command === 'discard') && !values.consumer) throw new UsageError(`${command} needs --consumer NAME`);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  let id: number | undefined;
  if (command === 'discard') {
    id = Number(values.id);
    if (!values.id || !Number.isInteger(id) || id <= 0) throw new UsageError(`discard needs --id N, a parked event number (got "${values.id ?? ''}")`);
    if (!values.note?.trim()) throw new UsageError('discard needs --note TEXT saying why the event is given up');
  }
  return { command: command as 'list' | 'replay' | 'discard', values, databaseUrl, timeout, id };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof options>;
  try {
    parsed = options();
  } catch (error) {
    process.stderr.write(`parked: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { command, values, databaseUrl, timeout, id } = parsed;
  const dataSource = createDataSource({ url: databaseUrl!, poolSize: 1, applicationName: 'interlink-parked-cli' });
  await dataSource.initialize();
  try {
    if (command === 'list') {
      const parked = await listParkedEvents(dataSource.manager, { consumer: values.consumer, streamId: values.stream, includeResolved: values.all });
      if (values.json) process.stdout.write(`${JSON.stringify(parked, null, 2)}\n`);
      else if (parked.length === 0) process.stdout.write('no parked events\n');
      else {
        for (const p of parked) {
          const state = p.resolvedAt ? `resolved (${p.resolution})` : p.heldBehind ? `held behind #${p.heldBehind}` : 'parked';
          process.stdout.write(
            `#${p.id} ${p.consumer} ${p.topic}[${p.partition}]@${p.offset} stream=${p.streamId ?? '-'} type=${p.type ?? '-'} ` +
              `${state}, ${p.attempts} attempt(s), since ${p.parkedAt.toISOString()}\n    ${p.reason}\n`,
          );
        }
      }
      return 0;
    }
    if (command === 'discard') {
      await dataSource.transaction((m) => discardParkedEvent(m, values.consumer!, id!, values.note!));
      process.stdout.write(`parked event #${id} discarded; replay its stream to release the events held behind it\n`);
      return 0;
    }
    const [{ id: requestId }] = await dataSource.query(
      `INSERT INTO interlink.replay_requests (consumer, stream_id, requested_by) VALUES ($1, $2, $3) RETURNING id::text`,
      [values.consumer, values.stream ?? null, process.env.USER ?? 'cli'],
    );
    const notifier = new Client({ connectionString: databaseUrl });
    await notifier.connect();
    await notifier.query(`NOTIFY ${REPLAY_CHANNEL}`);
    await notifier.end();
    const deadline = Date.now() + timeout * 1000;
    while (Date.now() < deadline) {
      const [row] = await dataSource.query(`SELECT completed_at, report, error FROM interlink.replay_requests WHERE id = $1`, [requestId]);
      if (row.completed_at) {
        if (row.error) {
          process.stderr.write(`parked: replay request #${requestId} failed: ${row.error}\n`);
          return 1;
        }
        const report = row.report as { replayed: number; stillParked: number; failures: { id: number; reason: string }[] };
        if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else {
          process.stdout.write(`replayed ${report.replayed}, still parked ${report.stillParked}\n`);
          for (const f of report.failures) process.stdout.write(`  #${f.id} still fails: ${f.reason}\n`);
        }
        return report.stillParked > 0 ? 1 : 0;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stderr.write(
      `parked: no consumer "${values.consumer}" served replay request #${requestId} within ${timeout} s; ` +
        `is it running against this database? The request stays queued and is served when it starts.\n`,
    );
    return 3;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`parked: ${error.message}\n`);
    process.exit(1);
  },
);
