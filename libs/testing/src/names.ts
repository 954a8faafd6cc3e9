import { randomBytes } from 'node:crypto';

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Agency ids unique to one test run (e.g. `t1a2b3c4-police`), so tests sharing the broker never
 * see each other's topics or consumer groups.
 */
export function testAgencies<R extends string>(...roles: R[]): Record<R, string> {
  const run = `t${randomSuffix()}`;
  return Object.fromEntries(roles.map((role) => [role, `${run}-${role}`])) as Record<R, string>;
}
