import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ContractViolation, DomainError } from '@interlink/contracts';
import { ConcurrencyError, ErasedRecordError, IdempotencyError } from '@interlink/event-store';
import { ProjectionError } from '@interlink/projections';
import { CommandIdReused } from './command.service';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: string[];
  instance?: string;
}

const problem = (status: number, code: string, title: string, detail: string, errors?: string[]): ProblemDetails => ({
  type: `urn:interlink:problem:${code}`,
  title,
  status,
  detail,
  ...(errors ? { errors } : {}),
});

/**
 * What Express and its body parser refuse before any handler runs: the body parser's errors carry
 * a `type` and a status of their own; the router throws a URIError for a path it cannot decode.
 */
function unreadableRequest(error: unknown): ProblemDetails | undefined {
  if (error instanceof URIError) {
    return problem(400, 'malformed-url', 'Malformed URL', 'The request path holds a percent-encoding that is not UTF-8 (a stray %, or the bytes of a lone surrogate such as %ED%A0%80); encode the path as UTF-8.');
  }
  const e = error as { type?: string; status?: number; limit?: number; code?: unknown };
  if (e?.type === 'entity.parse.failed') {
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON, or is a bare value (null, a string, a number) where an object belongs; send a JSON object.');
  }
  if (e?.type === 'entity.too.large') {
    return problem(413, 'body-too-large', 'Request body too large', `The request body is larger than the ${e.limit ?? ''} bytes allowed.`.replace('  ', ' '));
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return problem(415, 'unsupported-encoding', 'Unsupported encoding', 'Send the body as UTF-8 JSON.');
  }
  // zlib's and brotli's errors: the body is not compressed the way its Content-Encoding says.
  if (e?.status === 400 && typeof e.code === 'string' && /^(Z_|ERR__)/.test(e.code)) {
    return problem(400, 'malformed-body', 'Unreadable body', 'The request body does not decompress as its Content-Encoding says; send it compressed that way, or uncompressed without Content-Encoding.');
  }
  return undefined;
}

/**
 * Whether an error means the database could not be reached or went away (a restart, a failover,
 * a dropped connection, every connection slot taken) rather than that the request was wrong:
 * Postgres's connection-exception (08xxx), operator-intervention (57P0x) and too-many-connections
 * (53300) codes, the driver's own connection errors, and TypeORM's for a transaction whose
 * connection was dropped.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown } | undefined;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) return true;
  // TypeORM's errors for a transaction whose connection the pool dropped when the server went away.
  const name = typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
  if (name === 'QueryRunnerAlreadyReleasedError' || name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/Connection terminated|connection timeout|Client has encountered a connection error|terminating connection due to administrator command/i.test(message)) return true;
  return e.driverError !== undefined && e.driverError !== error && isDatabaseUnavailable(e.driverError);
}

/** Maps every error to `application/problem+json` with a message a person can act on; never leaks internals. */
export function toProblem(error: unknown): ProblemDetails {
  if (isDatabaseUnavailable(error)) {
    return problem(503, 'unavailable', 'Temporarily unavailable', 'The database cannot be reached just now. Retry shortly with the same commandId: a command that was recorded after all is answered with its first result, never done twice.');
  }
  // A read model a command decides on cannot catch up; what blocks it is for operators (readiness names it).
  if (error instanceof ProjectionError) {
    return problem(503, 'read-model-behind', 'Temporarily unavailable', `The read model ${error.projection} cannot be brought up to date (see /health/ready); nothing was recorded. Retry later with the same commandId.`);
  }
  if (error instanceof DomainError) return problem(422, error.code, 'Refused by a business rule', error.message);
  if (error instanceof ErasedRecordError) return problem(409, 'erased', 'Personal data erased', error.message);
  if (error instanceof ConcurrencyError) return problem(409, 'stale-version', 'Changed meanwhile', error.message);
  if (error instanceof CommandIdReused || error instanceof IdempotencyError) return problem(409, 'command-id-reused', 'Command id reused', error.message);
  if (error instanceof ContractViolation) return problem(422, 'contract-violation', 'Does not match the event contract', error.message, error.details);
  // Nest hands these on wrapped in an HttpException whose cause is the original.
  const unreadable = unreadableRequest(error) ?? unreadableRequest((error as { cause?: unknown })?.cause);
  if (unreadable) return unreadable;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse() as string | { message?: string | string[]; error?: string };
    const messages = typeof response === 'string' ? [response] : Array.isArray(response.message) ? response.message : [response.message ?? error.message];
    if (status === HttpStatus.BAD_REQUEST && Array.isArray((response as { message?: unknown }).message)) {
      return problem(400, 'invalid-request', 'Invalid request', `The request is invalid: ${messages.join('; ')}.`, messages);
    }
    const code = (typeof response === 'object' && response.error ? response.error : HttpStatus[status] ?? 'error').toString().toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return problem(status, code, typeof response === 'object' && response.error ? response.error : code, messages.join('; '));
  }
  return problem(500, 'internal-error', 'Internal error', 'Something went wrong on our side; nothing was changed. Quote the reference to an administrator.');
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse();
    const request = http.getRequest();
    const body = toProblem(exception);
    if (body.status >= 500) {
      const reference = randomUUID();
      body.detail = `${body.detail} (reference ${reference})`;
      this.logger.error(`${request.method} ${request.url} failed, reference ${reference}: ${(exception as Error)?.stack ?? exception}`);
    }
    body.instance = request.url;
    if (body.status === 503) response.setHeader('Retry-After', '2');
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
