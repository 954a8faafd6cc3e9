import { randomBytes } from 'node:crypto';

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * The id of this test run (4 hex digits), set by the Jest global setup and inherited by every
 * worker. Everything a run creates on the shared broker carries it, so its teardown deletes what
 * it created and nothing of another run going on at the same time.
 */
export function testRunId(): string {
  process.env.INTERLINK_TEST_RUN ??= randomBytes(2).toString('hex');
  return process.env.INTERLINK_TEST_RUN;
}

/**
 * Agency ids unique to one test (e.g. `t1a2b3c4-police`: the run's id, then the test's), so tests
 * sharing the broker never see each other's topics or consumer groups.
 */
export function testAgencies<R extends string>(...roles: R[]): Record<R, string> {
  const prefix = `t${testRunId()}${randomBytes(2).toString('hex')}`;
  return Object.fromEntries(roles.map((role) => [role, `${prefix}-${role}`])) as Record<R, string>;
}
