import { LogEntry, logCreator, logLevel } from 'kafkajs';
import { logger } from '@interlink/observability';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug' | undefined> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs's own log lines as the service's JSON lines (context `kafkajs <namespace>`, its details
 * under `kafka`). kafkajs filters by the client's logLevel before it calls this.
 */
export const kafkaLogCreator: logCreator = () => ({ namespace, level, log }: LogEntry) => {
  const name = LEVELS[level];
  if (!name) return;
  const { message, timestamp: _own, logger: _name, ...details } = log as LogEntry['log'] & { logger?: unknown };
  // An Error's own fields are not enumerable: as it is, it would show as {}.
  if (details.error instanceof Error) details.error = details.error.message;
  logger()[name]({ context: `kafkajs ${namespace}`, kafka: details }, message);
};
