import { EntityManager } from 'typeorm';
import { Summary, UNKNOWN_COUNTRY, sortedByKey } from './summary';

/** Cases that count as victims: a person found to be a suspect never was one. */
const VICTIMS = `reclassified_as IS DISTINCT FROM 'suspect'`;

/**
 * The published summary as SQL over the read model. Run it in one snapshot (REPEATABLE READ)
 * so its parts agree with each other; `summariseHistory` is the same rule over the raw events.
 */
export async function querySummary(db: EntityManager): Promise<Summary> {
  const countries: { country: string; returned: number; tracked: number }[] = await db.query(
    `SELECT coalesce(country, $1) AS country,
            count(*) FILTER (WHERE status = 'repatriated')::int AS returned,
            count(*) FILTER (WHERE status <> 'repatriated')::int AS tracked
       FROM victim_cases
      WHERE status <> 'closed' AND ${VICTIMS}
      GROUP BY 1`,
    [UNKNOWN_COUNTRY],
  );
  const months: { month: string; reported: number; rescued: number; returned: number }[] = await db.query(
    `SELECT month,
            count(*) FILTER (WHERE what = 'reported')::int AS reported,
            count(*) FILTER (WHERE what = 'rescued')::int AS rescued,
            count(*) FILTER (WHERE what = 'returned')::int AS returned
       FROM (SELECT to_char(reported_on, 'YYYY-MM') AS month, 'reported' AS what FROM victim_cases WHERE ${VICTIMS}
             UNION ALL
             SELECT to_char(rescued_on, 'YYYY-MM'), 'rescued' FROM victim_cases WHERE rescued_on IS NOT NULL AND ${VICTIMS}
             UNION ALL
             SELECT to_char(returned_on, 'YYYY-MM'), 'returned' FROM victim_cases WHERE returned_on IS NOT NULL AND ${VICTIMS}) AS dated
      GROUP BY month`,
  );
  // Every case event stamps its row, so the newest stamp is the time of the latest case event.
  const [{ as_of }]: { as_of: Date | null }[] = await db.query(`SELECT max(updated_at) AS as_of FROM victim_cases`);

  const byCountry = sortedByKey(Object.fromEntries(countries.map((c) => [c.country, { rescuedAndReturned: c.returned, stillTracked: c.tracked, total: c.returned + c.tracked }])));
  const sum = (key: 'rescuedAndReturned' | 'stillTracked') => Object.values(byCountry).reduce((n, c) => n + c[key], 0);
  const rescuedAndReturned = sum('rescuedAndReturned');
  const stillTracked = sum('stillTracked');
  return {
    rescuedAndReturned,
    stillTracked,
    total: rescuedAndReturned + stillTracked,
    byCountry,
    byMonth: sortedByKey(Object.fromEntries(months.map(({ month, ...counts }) => [month, counts]))),
    asOf: as_of ? as_of.toISOString() : null,
  };
}
