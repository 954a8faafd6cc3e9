import { MatchDetails, PersonDetails } from '@interlink/contracts';
import { Match, PersonRecord, matchPersons, normalisePassport } from '@interlink/matching';

export interface OpenCase {
  caseId: string;
  person: PersonDetails;
}

export interface Reconciliation<P> {
  /** In the order of the persons given. */
  matched: { person: P; caseId: string; match: MatchDetails }[];
  unmatched: P[];
}

/** The contract caps an explanation; a name of many long tokens could explain itself past it. */
const MAX_EXPLANATION = 1000;

export function toMatchInfo(match: Match): MatchDetails {
  const explanation = match.explanation.length > MAX_EXPLANATION ? `${match.explanation.slice(0, MAX_EXPLANATION - 1)}…` : match.explanation;
  return { reason: match.reason, score: match.score, explanation };
}

/**
 * Two records can only match on a shared passport number or, by name, on the same birth date,
 * so each person is compared only with the cases sharing one of these keys.
 */
function keysOf(record: PersonRecord): string[] {
  const keys = (record.passports ?? [])
    .map((p) => normalisePassport(p.number))
    .filter((number) => number !== '')
    .map((number) => `passport:${number}`);
  if (record.birthDate) keys.push(`born:${record.birthDate.trim()}`);
  return keys;
}

/**
 * Pairs rescued persons with open victim cases: each person with at most one case and each case
 * with at most one person, the best scores first (on equal scores the earlier person, then the
 * earlier case), so a close namesake cannot take the case of the person it really is.
 */
export function reconcile<P extends PersonRecord>(persons: P[], openCases: OpenCase[]): Reconciliation<P> {
  const casesByKey = new Map<string, number[]>();
  openCases.forEach((c, k) => {
    for (const key of keysOf(c.person)) casesByKey.set(key, [...(casesByKey.get(key) ?? []), k]);
  });

  const pairs: { p: number; k: number; match: Match }[] = [];
  persons.forEach((person, p) => {
    const candidates = new Set(keysOf(person).flatMap((key) => casesByKey.get(key) ?? []));
    for (const k of candidates) {
      const match = matchPersons(openCases[k].person, person);
      if (match) pairs.push({ p, k, match });
    }
  });
  pairs.sort((a, b) => b.match.score - a.match.score || a.p - b.p || a.k - b.k);

  const caseOfPerson = new Map<number, { k: number; match: Match }>();
  const takenCases = new Set<number>();
  for (const { p, k, match } of pairs) {
    if (caseOfPerson.has(p) || takenCases.has(k)) continue;
    caseOfPerson.set(p, { k, match });
    takenCases.add(k);
  }
  return {
    matched: persons.flatMap((person, p) => {
      const pair = caseOfPerson.get(p);
      return pair ? [{ person, caseId: openCases[pair.k].caseId, match: toMatchInfo(pair.match) }] : [];
    }),
    unmatched: persons.filter((_, p) => !caseOfPerson.has(p)),
  };
}
