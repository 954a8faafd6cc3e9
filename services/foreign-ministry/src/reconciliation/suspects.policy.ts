import { definePolicy } from '@interlink/agency-kit';
import { EventEnvelope, PersonDetails, PersonalDataErased, Police, PoliceDataErased, agencyOfSource, disclosed } from '@interlink/contracts';
import { matchPersons } from '@interlink/matching';
import { caseDecider, caseStream } from '../cases/case.decider';
import { caseRelease } from '../cases/release';
import { findOpenCases } from './open-cases';
import { toMatchInfo } from './reconcile';

/**
 * Syndicates recruit among their victims, and some "victims" are recruiters: when police identify
 * a suspect who matches the person of an open case, every such case is flagged for a caseworker
 * to decide whether it is still a victim's.
 */
export const suspectsPolicy = definePolicy({
  name: 'suspect-screening',
  on: {
    [Police.SuspectIdentified.type]: async (event: EventEnvelope<Police.SuspectIdentified>, ctx) => {
      const { suspectId, role } = event.data;
      const person = disclosed<PersonDetails>(event.data.person);
      if (!person) return;
      const suspect = { agency: agencyOfSource(event.source)!, id: suspectId, eventId: event.id };
      for (const open of await findOpenCases(ctx, [person], { awaitingRescue: false })) {
        const match = matchPersons(open.person, person);
        if (match) await ctx.decide(caseDecider, caseStream(open.caseId), { type: 'flag-for-review', suspect, role, match: toMatchInfo(match) }, caseRelease);
      }
    },
    // Police erased a suspect: flags quote the suspect's data in their explanation, sealed under
    // the ministry's key for the same record id, which the ministry now destroys.
    [PoliceDataErased.type]: async (event: EventEnvelope<PersonalDataErased>, ctx) => {
      const police = agencyOfSource(event.source)!;
      await ctx.erasePersonalData(event.data.ref, `erased by ${police}: ${event.data.reason}`, { agency: police, ref: event.data.ref });
    },
  },
});
