import { LogLevel, LoggerService } from '@nestjs/common';
import { LogLevelName, logger, pinLogLevel } from '@interlink/observability';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
const MOST_VERBOSE_FIRST: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Nest's logger for every service: its lines (and those of `new Logger(context)`) become the
 * service's JSON lines. Levels given in code (tests ask for errors only) pin the process's level;
 * otherwise LOG_LEVEL decides.
 */
export function interlinkLogger(levels?: LogLevel[] | false): LoggerService {
  if (levels !== undefined) pinLogLevel(pinnedLevel(levels));
  return new NestJsonLogger();
}

function pinnedLevel(levels: LogLevel[] | false): LogLevelName {
  if (levels === false || levels.length === 0) return 'silent';
  return LEVELS[MOST_VERBOSE_FIRST.find((level) => levels.includes(level))!];
}

class NestJsonLogger implements LoggerService {
  log(message: unknown, ...params: unknown[]) {
    write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]) {
    write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    write('fatal', message, params, true);
  }
}

/**
 * Nest passes the context last (a Logger made with one always does); `error` may carry a stack
 * trace before it.
 */
function write(level: (typeof LEVELS)[LogLevel], message: unknown, params: unknown[], withStack = false): void {
  const log = logger();
  if (!log.isLevelEnabled(level)) return;
  const fields: Record<string, unknown> = {};
  const rest = [...params];
  if (rest.length > 0 && typeof rest[rest.length - 1] === 'string' && (rest.length > 1 || !withStack || !looksLikeStack(rest[0]))) fields.context = rest.pop();
  if (withStack && typeof rest[0] === 'string') fields.stack = rest.shift();
  if (message instanceof Error) {
    fields.err = message;
    message = message.message;
  } else if (typeof message === 'object' && message !== null) {
    fields.details = message;
    message = (message as { message?: unknown }).message ?? '';
  }
  log[level](fields, String(message));
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}
