/**
 * The dashboards' arithmetic, as pure functions over rows of the read model (and Kafka offsets),
 * so the rules are stated once and tested without a database.
 */

/** A victim case as the dashboards count it. */
export interface CaseFacts {
  country: string | null;
  status: string;
  reclassifiedAs: string | null;
  /** The earliest date the case is known from: its report, else the first event the task force received. */
  openedOn: string;
  rescuedOn: string | null;
  returnedOn: string | null;
  closedOn: string | null;
}

export interface VictimCounts {
  /** Victims with a rescue on record (whether or not home yet). */
  rescued: number;
  /** Victims back home. */
  repatriated: number;
  /** Open cases: not home and not closed. */
  stillTracked: number;
}

export interface MonthFigures extends VictimCounts {
  month: string;
}

export const UNKNOWN_COUNTRY = 'unknown';

/** Persons found to be suspects were never victims: they are not counted (the ministry's rule). */
export const isVictim = (c: Pick<CaseFacts, 'reclassifiedAs'>) => c.reclassifiedAs !== 'suspect';

const month = (date: string) => date.slice(0, 7);
const endOfMonth = (m: string) => `${m}-31`;

/** Counts by country (last known, located or rescued country; "unknown" when none), sorted by country. */
export function victimsByCountry(cases: CaseFacts[]): ({ country: string } & VictimCounts)[] {
  const by = new Map<string, VictimCounts>();
  for (const c of cases.filter(isVictim)) {
    const key = c.country ?? UNKNOWN_COUNTRY;
    const counts = by.get(key) ?? { rescued: 0, repatriated: 0, stillTracked: 0 };
    if (c.rescuedOn || c.status === 'repatriated') counts.rescued++;
    if (c.status === 'repatriated') counts.repatriated++;
    if (c.status !== 'repatriated' && c.status !== 'closed') counts.stillTracked++;
    by.set(key, counts);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([country, counts]) => ({ country, ...counts }));
}

/** Every month from `first` to `last` (YYYY-MM), inclusive. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
    if (out.length > 1200) break;
  }
  return out;
}

/**
 * Month by month, from the first month any case is known in to the last month anything happened:
 * rescues and returns in that month, and the cases still tracked at its end (known by then,
 * neither home nor closed by then).
 */
export function victimsOverTime(cases: CaseFacts[]): MonthFigures[] {
  const victims = cases.filter(isVictim);
  const dates = victims.flatMap((c) => [c.openedOn, c.rescuedOn, c.returnedOn, c.closedOn].filter((d): d is string => Boolean(d))).sort();
  if (dates.length === 0) return [];
  return monthsBetween(month(dates[0]), month(dates[dates.length - 1])).map((m) => {
    const end = endOfMonth(m);
    return {
      month: m,
      rescued: victims.filter((c) => c.rescuedOn && month(c.rescuedOn) === m).length,
      repatriated: victims.filter((c) => c.returnedOn && month(c.returnedOn) === m).length,
      stillTracked: victims.filter((c) => c.openedOn <= end && !(c.returnedOn && c.returnedOn <= end) && !(c.closedOn && c.closedOn <= end)).length,
    };
  });
}

export function totals(rows: VictimCounts[]): VictimCounts {
  return rows.reduce((t, r) => ({ rescued: t.rescued + r.rescued, repatriated: t.repatriated + r.repatriated, stillTracked: t.stillTracked + r.stillTracked }), {
    rescued: 0,
    repatriated: 0,
    stillTracked: 0,
  });
}

/** Consumer lag of one topic partition: how far the console's committed offset is behind the high watermark. */
export interface PartitionLag {
  topic: string;
  sender: string;
  partition: number;
  /** The offset the next message will get (the high watermark). */
  high: number;
  /** The oldest offset still on the broker. */
  low: number;
  /** The console's committed offset (the next it will read), or null when it has committed none. */
  committed: number | null;
  /** Messages not yet consumed: high - committed (high - low before the first commit). */
  lag: number;
}

export function partitionLags(
  topics: { topic: string; sender: string; partitions: { partition: number; high: string; low: string }[] }[],
  committed: { topic: string; partitions: { partition: number; offset: string }[] }[],
): PartitionLag[] {
  const commits = new Map<string, number>();
  for (const t of committed) for (const p of t.partitions) if (Number(p.offset) >= 0) commits.set(`${t.topic}/${p.partition}`, Number(p.offset));
  return topics
    .flatMap(({ topic, sender, partitions }) =>
      partitions.map((p) => {
        const high = Number(p.high);
        const low = Number(p.low);
        const done = commits.get(`${topic}/${p.partition}`) ?? null;
        return { topic, sender, partition: p.partition, high, low, committed: done, lag: Math.max(0, high - (done ?? low)) };
      }),
    )
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
