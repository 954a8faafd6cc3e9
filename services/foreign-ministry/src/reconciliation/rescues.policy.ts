import { definePolicy } from '@interlink/agency-kit';
import { EventEnvelope, Police, agencyOfSource, deterministicUuid, isWithheldPart } from '@interlink/contracts';
import { caseDecider, caseStream } from '../cases/case.decider';
import { caseRelease } from '../cases/release';
import { findOpenCases } from './open-cases';
import { reconcile } from './reconcile';

/**
 * Police rescues close the loop on the ministry's reports: a rescued person who matches an open
 * case marks that victim rescued; anyone else is a citizen nobody had reported, who gets a case
 * of their own so the ministry can bring them home (and count them).
 */
export const rescuesPolicy = definePolicy({
  name: 'rescue-reconciliation',
  on: {
    [Police.VictimsRescued.type]: async (event: EventEnvelope<Police.VictimsRescued>, ctx) => {
      const { rescueId, place, country, rescuedOn } = event.data;
      // Persons whose record police erased before it reached us cannot be matched or reported.
      const persons = event.data.persons.filter((p): p is Police.RescuedPersonDetails => !isWithheldPart(p));
      const police = agencyOfSource(event.source)!;
      const rescue = { type: 'rescue' as const, country, place, rescuedOn, rescue: { agency: police, id: rescueId, eventId: event.id } };
      const { matched, unmatched } = reconcile(persons, await findOpenCases(ctx, persons, { awaitingRescue: true }));

      for (const { caseId, match } of matched) {
        await ctx.decide(caseDecider, caseStream(caseId), { ...rescue, match }, caseRelease);
      }
      for (const { personId, ...person } of unmatched) {
        // Derived from the event, so a replay of the same event finds the case it opened.
        const caseId = deterministicUuid(event.id, personId);
        await ctx.decide(
          caseDecider,
          caseStream(caseId),
          { type: 'report', caseId, person, reportedBy: 'police', reporter: police, lastKnownCountry: country, circumstances: `Rescued by police at ${place}; not reported to the ministry before.`, reportedOn: rescuedOn },
          caseRelease,
        );
        await ctx.decide(caseDecider, caseStream(caseId), rescue, caseRelease);
      }
    },
  },
});
