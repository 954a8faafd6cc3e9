import { gunzipSync } from 'node:zlib';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { LOG_START } from '@interlink/event-store';
import { ProjectionError } from '@interlink/projections';
import { isDatabaseUnavailable, toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it.each([
    ['Postgres shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['Postgres starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection that went away', new Error('Connection terminated unexpectedly')],
    ['every connection slot taken (53300)', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['a wrapped driver error', Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('x'), { code: '08006' }) })],
    ['a transaction whose connection the pool dropped', Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['a query runner whose connection was released', Object.assign(new Error('Database connection provided by a query runner was already released'), { name: 'QueryRunnerProviderAlreadyReleasedError' })],
  ])('answers 503 with a reason to retry for %s, and names no internals', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status: 503, type: 'urn:interlink:problem:unavailable' });
    expect(problem.detail).toMatch(/Retry shortly with the same commandId: a command that was recorded after all is answered with its first result/);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|5432|57P0|administrator/);
  });

  it('leaves other errors as they were: a bug is a 500, a missing record a 404', () => {
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(toProblem(new TypeError('x')).status).toBe(500);
    expect(toProblem(Object.assign(new Error('duplicate key value'), { code: '23505' })).status).toBe(500);
    expect(toProblem(new NotFoundException('no such suspect')).status).toBe(404);
  });

  it('answers 400 naming the fault for a path the router cannot decode, as thrown or as Nest wraps it', () => {
    let error: unknown;
    try {
      decodeURIComponent('%ED%A0%80');
    } catch (e) {
      error = e;
    }
    for (const thrown of [error, new BadRequestException((error as Error).message, { cause: error })]) {
      expect(toProblem(thrown)).toMatchObject({ status: 400, type: 'urn:interlink:problem:malformed-url', detail: expect.stringMatching(/percent-encoding that is not UTF-8/) });
    }
  });

  it('answers 400 saying so for a body that does not decompress as its Content-Encoding says', () => {
    let error: unknown;
    try {
      gunzipSync(Buffer.from('{"commandId":"x"}'));
    } catch (e) {
      error = Object.assign(e as Error, { status: 400, statusCode: 400, expose: true });
    }
    expect(toProblem(new BadRequestException('Bad Request', { cause: error }))).toMatchObject({ status: 400, type: 'urn:interlink:problem:malformed-body' });
  });

  it('answers 503 when a read model a command needs cannot catch up, without the internal reason', () => {
    const error = new ProjectionError('watchlist', LOG_START, 'unsupported Unicode escape sequence', { id: 'e1', type: 'intel.x.y', position: { txId: '9', position: '3' } });
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status: 503, type: 'urn:interlink:problem:read-model-behind' });
    expect(problem.detail).toMatch(/read model watchlist cannot be brought up to date.*nothing was recorded/);
    expect(problem.detail).not.toMatch(/Unicode|e1/);
  });
});
