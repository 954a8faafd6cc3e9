import { DecisionContext } from '@interlink/agency-kit';
import { PersonDetails, disclosed } from '@interlink/contracts';
import { PersonRecord, normalisePassport } from '@interlink/matching';
import { awaitsRescue, caseDecider, caseStream, isOpen } from '../cases/case.decider';
import { OpenCase } from './reconcile';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Open victim cases whose person could match one of `persons` (same birth date or a shared
 * passport number, the only ways two records match), optionally only those still awaiting
 * a rescue; oldest report first, so that on equal scores the longest-waiting case wins.
 *
 * The read model finds them through its indexes, in the caller's transaction. It may lag the
 * log: a row that is stale (closed or rescued meanwhile) is harmless, because each candidate's
 * state is read again from its stream here; but a case reported moments ago, or by an earlier
 * event of the same consumer batch, may not be in it yet and is then missed: the rescued person
 * then opens a second case, which a caseworker closes as a duplicate. That is accepted rather
 * than reading the log's tail on every rescue.
 */
export async function findOpenCases(ctx: DecisionContext, persons: PersonRecord[], options: { awaitingRescue: boolean }): Promise<OpenCase[]> {
  const birthDates = [...new Set(persons.map((p) => p.birthDate?.trim()).filter((d): d is string => d !== undefined && ISO_DATE.test(d)))];
  const passports = [...new Set(persons.flatMap((p) => (p.passports ?? []).map((passport) => normalisePassport(passport.number))).filter((n) => n !== ''))];
  if (birthDates.length === 0 && passports.length === 0) return [];

  const rows: { case_id: string }[] = await ctx.manager.query(
    `SELECT case_id FROM victim_cases
      WHERE status NOT IN ('repatriated', 'closed') AND reclassified_as IS DISTINCT FROM 'suspect'
        ${options.awaitingRescue ? 'AND rescued_on IS NULL' : ''}
        AND (birth_date = ANY($1::date[]) OR passport_numbers && $2::text[])
      ORDER BY reported_on, case_id`,
    [birthDates, passports],
  );
  const eligible = options.awaitingRescue ? awaitsRescue : isOpen;
  const cases: OpenCase[] = [];
  for (const { case_id: caseId } of rows) {
    const { state } = await ctx.load(caseDecider, caseStream(caseId));
    // A case whose person was erased can no longer be matched to anyone.
    const person = disclosed<PersonDetails>(state.person);
    if (eligible(state) && person) cases.push({ caseId, person });
  }
  return cases;
}
