// `npm run audit -- <verify|replay|history|export> [options]`: see USAGE.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKafka } from '@interlink/messaging';
import { openAuditDatabase } from './audit.module';
import { AuditService } from './audit.service';
import { auditConfigFromEnv } from './config';

const USAGE = `usage: npm run audit -- <command> [options]

commands:
  verify    check an agency's log (hashes, chain, signatures); exits 1 naming the first bad position
  replay    rebuild an agency's read models with its own code as of a moment (--as-of) or sequence (--to);
            with --term, only what it knew about that passport number or name
  history   one case or person across agencies, in order, with causation links (--subject or --term)
  export    an agency's log as JSON Lines (--format jsonl) or a STIX 2.1 bundle (--format stix)

options:
  --agency ID         the agency (verify, replay, export)
  --from N, --to N    sequence range
  --as-of TIME        ISO 8601 moment, e.g. 2023-10-24T10:00:00Z
  --source S          verify from the archive (default) or from kafka
  --topic T           with --source kafka: another topic holding a copy of the log
  --term T            a passport number, a name
  --subject S         a stream id, e.g. suspect-<uuid>
  --format F          jsonl (default) or stix
  --out FILE          write the export to FILE instead of standard output
  --json              machine-readable output
The audit database and Kafka come from DATABASE_URL (default interlink_audit) and KAFKA_BROKERS.`;

class UsageError extends Error {}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      agency: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'as-of': { type: 'string' },
      source: { type: 'string', default: 'archive' },
      topic: { type: 'string' },
      term: { type: 'string' },
      subject: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help) return { command: 'help' as const, values };
  if (!command) throw new UsageError('say which command: verify, replay, history or export');
  if (!['verify', 'replay', 'history', 'export'].includes(command)) throw new UsageError(`unknown command "${command}": use verify, replay, history or export`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const sequence = (name: 'from' | 'to') => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a sequence number from 1, not "${raw}"`);
    return n;
  };
  let asOf: Date | undefined;
  if (values['as-of'] !== undefined) {
    asOf = new Date(values['as-of']);
    if (Number.isNaN(asOf.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(values['as-of'])) throw new UsageError(`--as-of must be an ISO 8601 date-time such as 2023-10-24T10:00:00Z, not "${values['as-of']}"`);
  }
  if (command !== 'history' && !values.agency) throw new UsageError(`${command} needs --agency ID`);
  // What an agency knew is built from the beginning of its log; a later start would apply events to records never created.
  if (command === 'replay' && values.from !== undefined) throw new UsageError('replay always starts at the beginning of the log: give --to N or --as-of, not --from');
  if (command === 'history' && !values.subject && !values.term) throw new UsageError('history needs --subject or --term');
  if (!['archive', 'kafka'].includes(values.source!)) throw new UsageError(`--source must be archive or kafka, not "${values.source}"`);
  if (!['jsonl', 'stix'].includes(values.format!)) throw new UsageError(`--format must be jsonl or stix, not "${values.format}"`);
  return { command: command as 'verify' | 'replay' | 'history' | 'export', values, range: { from: sequence('from'), to: sequence('to'), asOf } };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    process.stderr.write(`audit: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { command, values, range } = args;
  const config = auditConfigFromEnv();
  const dataSource = await openAuditDatabase(config);
  const audit = new AuditService(config, dataSource, createKafka(config.kafka));
  const progress = (what: string) => (n: number) => process.stderr.write(`\r${what}: ${n.toLocaleString('en')} events`);
  const print = (value: unknown) => process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  try {
    if (command === 'verify') {
      const report =
        values.source === 'kafka'
          ? await audit.verifyKafka(values.agency!, { topic: values.topic, from: range.from, to: range.to }, progress('verified'))
          : await audit.verifyArchive(values.agency!, range, progress('verified'));
      process.stderr.write('\r');
      if (values.json) print(report);
      else if (report.ok) print(`${values.agency}: ${report.verified} events verified (sequences ${report.firstSequence ?? '-'} to ${report.lastSequence ?? '-'}), ${report.duplicates} republished duplicates; nothing was altered`);
      else print(`${values.agency}: VERIFICATION FAILED after ${report.verified} good events: ${report.problem!.kind} at sequence ${report.problem!.sequence ?? '?'} (${report.problem!.position}): ${report.problem!.detail}`);
      return report.ok ? 0 : 1;
    }
    if (command === 'replay') {
      const role = audit.roleOf(values.agency!);
      const result = values.term
        ? await audit.replays.knowledge(values.agency!, role, range, values.term)
        : await audit.replays.tables(values.agency!, role, range, progress('replayed'));
      process.stderr.write('\r');
      print(result);
      return 0;
    }
    if (command === 'history') {
      const entries = await audit.histories.history({ subject: values.subject, term: values.term });
      if (values.json) print(entries);
      else for (const e of entries) print(`${e.time}  ${e.agency.padEnd(18)} #${e.sequence ?? '-'}  ${e.type}  ${e.subject}${e.causedBy ? `  <- ${e.causedBy.agency} ${e.causedBy.type}` : ''}`);
      return 0;
    }
    const output = values.format === 'stix' ? JSON.stringify(await audit.exportStix([values.agency!], range), null, 2) : await audit.exportJsonLines(values.agency!, range);
    if (values.out) {
      writeFileSync(values.out, output);
      process.stderr.write(`wrote ${values.out}\n`);
    } else process.stdout.write(output);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`audit: ${error.message}\n`);
    process.exit(1);
  },
);
