import { AsyncLocalStorage } from 'node:async_hooks';
import { context, trace } from '@opentelemetry/api';
import pino, { DestinationStream, Logger } from 'pino';
import { LogFormat, LogLevelName } from './settings';

/** What every log line written while a piece of work runs says about it. */
export interface LogScope {
  /** The agency the work is done for (several services share one process in tests). */
  agencyId?: string;
  /** The case thread: a request's correlation id, or a consumed event's. */
  correlationId?: string;
  /** What caused the work: the command id of a request, the id of a consumed event. */
  causationId?: string;
}

export interface LoggingOptions {
  /** `service` of every line (the service name of its traces). */
  service?: string;
  /** `agency` of lines written outside any scope. */
  agencyId?: string;
  level?: LogLevelName;
  format?: LogFormat;
  /** Where lines go (standard output by default): tests capture them here. */
  destination?: DestinationStream;
}

const scopes = new AsyncLocalStorage<LogScope>();

let options: LoggingOptions = {};
/** A level the code asked for (tests, a Nest `logger` option): it wins over LOG_LEVEL. */
let pinnedLevel: LogLevelName | undefined;
let root: Logger | undefined;

/** Runs `work` with `scope` on every line it logs, also in what it awaits. */
export function inLogScope<T>(scope: LogScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The scope of the work running now, if any. */
export function currentLogScope(): LogScope | undefined {
  return scopes.getStore();
}

/**
 * Sets what the process's log lines say and how they are written. A process runs one service
 * in production; where tests run several in one, the first sets `service`, and each line's scope
 * names its agency.
 */
export function configureLogging(given: LoggingOptions): void {
  options = { ...options, ...given, service: options.service ?? given.service, agencyId: options.agencyId ?? given.agencyId };
  root = undefined;
}

/** Pins the level, whatever LOG_LEVEL says (undefined unpins it). */
export function pinLogLevel(level: LogLevelName | undefined): void {
  pinnedLevel = level;
  if (root) root.level = level ?? options.level ?? 'info';
}

/** The process's logger: JSON lines with time, level, service, agency, message, and the scope and trace of the work. */
export function logger(): Logger {
  root ??= createRoot();
  return root;
}

function createRoot(): Logger {
  const destination = options.destination ?? (options.format === 'pretty' ? prettyDestination(process.stdout) : pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: pinnedLevel ?? options.level ?? 'info',
      messageKey: 'message',
      base: options.service ? { service: options.service } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: scopeFields,
    },
    destination,
  );
}

function scopeFields(): Record<string, string> {
  const scope = scopes.getStore();
  const fields: Record<string, string> = {};
  const agency = scope?.agencyId ?? options.agencyId;
  if (agency) fields.agency = agency;
  if (scope?.correlationId) fields.correlationId = scope.correlationId;
  if (scope?.causationId) fields.causationId = scope.causationId;
  const span = trace.getSpan(context.active())?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

const LEVEL_COLOURS: Record<string, string> = { fatal: '35', error: '31', warn: '33', info: '32', debug: '36', trace: '90' };
/** Shown first, in this order; every other field follows as name=value. */
const LEADING = new Set(['time', 'level', 'service', 'agency', 'context', 'message']);

/**
 * LOG_FORMAT=pretty: one readable line per entry for a person at a terminal, e.g.
 * `08:15:02.113 INFO  police [HTTP] POST /suspects 201 in 35 ms correlationId=... traceId=...`.
 */
export function prettyLine(json: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json;
  }
  const level = String(entry.level ?? '');
  const label = level.toUpperCase().padEnd(5);
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const parts = [time, colour && LEVEL_COLOURS[level] ? `\x1b[${LEVEL_COLOURS[level]}m${label}\x1b[0m` : label];
  if (entry.agency) parts.push(String(entry.agency));
  if (entry.context) parts.push(`[${String(entry.context)}]`);
  parts.push(String(entry.message ?? ''));
  for (const [name, value] of Object.entries(entry)) {
    if (LEADING.has(name) || value === undefined) continue;
    parts.push(`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return parts.filter((p) => p !== '').join(' ') + '\n';
}

function prettyDestination(out: NodeJS.WriteStream): DestinationStream {
  const colour = out.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => void out.write(prettyLine(line, colour)) };
}
