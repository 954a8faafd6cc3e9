import { EventEnvelope, ForeignMinistry } from '@interlink/contracts';

export interface CaseCounts {
  /** Cases whose victim is home, unless the person was found to be a suspect. */
  rescuedAndReturned: number;
  /** Open cases: not home, not closed, not found to be a suspect. */
  stillTracked: number;
  total: number;
}

export interface MonthCounts {
  reported: number;
  rescued: number;
  returned: number;
}

/** What the ministry publishes: counts over its victim cases. */
export interface Summary extends CaseCounts {
  byCountry: Record<string, CaseCounts>;
  /** By calendar month (YYYY-MM) of the report, the rescue and the return. */
  byMonth: Record<string, MonthCounts>;
  /** Time of the latest case event counted; null before the first report. */
  asOf: string | null;
}

/** Where cases without a known country are counted. */
export const UNKNOWN_COUNTRY = 'unknown';

interface CaseTally {
  country?: string;
  home: boolean;
  closed: boolean;
  suspect: boolean;
  reportedOn: string;
  rescuedOn?: string;
  returnedOn?: string;
}

const month = (date: string) => date.slice(0, 7);

/**
 * The published summary folded straight from the ministry's events, without the read model:
 * the statistics must be reproducible from the history, and the tests hold the read model's
 * SQL to this.
 */
export function summariseHistory(events: EventEnvelope[]): Summary {
  const cases = new Map<string, CaseTally>();
  let latest: number | undefined;
  const tally = (caseId: string) => cases.get(caseId)!;
  for (const e of events) {
    const data = e.data as { caseId: string };
    switch (e.type) {
      case ForeignMinistry.VictimReported.type: {
        const reported = e.data as ForeignMinistry.VictimReported;
        cases.set(reported.caseId, { country: reported.lastKnownCountry, home: false, closed: false, suspect: false, reportedOn: reported.reportedOn });
        break;
      }
      case ForeignMinistry.VictimLocated.type:
        tally(data.caseId).country = (e.data as ForeignMinistry.VictimLocated).country;
        break;
      case ForeignMinistry.VictimRescued.type: {
        const rescued = e.data as ForeignMinistry.VictimRescued;
        Object.assign(tally(rescued.caseId), { country: rescued.country, rescuedOn: rescued.rescuedOn });
        break;
      }
      case ForeignMinistry.VictimRepatriated.type:
        Object.assign(tally(data.caseId), { home: true, returnedOn: (e.data as ForeignMinistry.VictimRepatriated).returnedOn });
        break;
      case ForeignMinistry.CaseClosed.type:
        tally(data.caseId).closed = true;
        break;
      case ForeignMinistry.CaseReclassified.type:
        tally(data.caseId).suspect = (e.data as ForeignMinistry.CaseReclassified).outcome === 'suspect';
        break;
      case ForeignMinistry.RepatriationArranged.type:
      case ForeignMinistry.CaseFlaggedForReview.type:
        break;
      default:
        continue;
    }
    const time = Date.parse(e.time);
    latest = latest === undefined ? time : Math.max(latest, time);
  }

  const summary: Summary = { rescuedAndReturned: 0, stillTracked: 0, total: 0, byCountry: {}, byMonth: {}, asOf: latest === undefined ? null : new Date(latest).toISOString() };
  const byMonth = (date: string) => (summary.byMonth[month(date)] ??= { reported: 0, rescued: 0, returned: 0 });
  for (const c of cases.values()) {
    // A person found to be part of the syndicate was never a victim, in any count.
    if (c.suspect) continue;
    byMonth(c.reportedOn).reported++;
    if (c.rescuedOn) byMonth(c.rescuedOn).rescued++;
    if (c.returnedOn) byMonth(c.returnedOn).returned++;
    if (c.closed) continue;
    const country = (summary.byCountry[c.country ?? UNKNOWN_COUNTRY] ??= { rescuedAndReturned: 0, stillTracked: 0, total: 0 });
    for (const counts of [summary, country]) {
      if (c.home) counts.rescuedAndReturned++;
      else counts.stillTracked++;
      counts.total++;
    }
  }
  summary.byCountry = sortedByKey(summary.byCountry);
  summary.byMonth = sortedByKey(summary.byMonth);
  return summary;
}

/** Keys in code-point order, so both ways of computing the summary list it alike. */
export function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
