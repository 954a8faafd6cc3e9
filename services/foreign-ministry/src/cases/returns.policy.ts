import { definePolicy } from '@interlink/agency-kit';
import { EventEnvelope, Immigration, agencyOfSource } from '@interlink/contracts';
import { caseDecider, caseStream } from './case.decider';
import { caseRelease } from './release';

/**
 * Immigration saw a repatriated victim enter the country: the case is done. A return the case
 * cannot take (closed meanwhile, or the person found to be a suspect) is refused and parked for
 * an officer to look at, rather than dropped.
 */
export const returnsPolicy = definePolicy({
  name: 'victim-returns',
  on: {
    [Immigration.VictimReturnRecorded.type]: async (event: EventEnvelope<Immigration.VictimReturnRecorded>, ctx) => {
      const { case: victimCase, crossingId, checkpoint, crossedAt } = event.data;
      if (victimCase.agency !== ctx.agencyId) return;
      await ctx.decide(
        caseDecider,
        caseStream(victimCase.id),
        {
          type: 'record-return',
          // The date as written at the checkpoint, in its own time zone: that is the day the victim came home.
          returnedOn: crossedAt.slice(0, 10),
          checkpoint,
          crossing: { agency: agencyOfSource(event.source)!, id: crossingId, eventId: event.id },
        },
        caseRelease,
      );
    },
  },
});
