import { EventEnvelope, Immigration, agencyOfSource } from '@interlink/contracts';
import { definePolicy } from '@interlink/agency-kit';
import { SIGHTING_RELEASE } from '../suspects/release';
import { suspectDecider, suspectStream } from '../suspects/suspect.decider';

/**
 * Immigration's border alerts about our suspects become sightings in their record, so the
 * suspects read model shows where each was last seen. Alerts about other agencies' suspects,
 * or about entries added by hand, are not ours to record.
 */
export const sightingsPolicy = definePolicy({
  name: 'border-sightings',
  on: {
    [Immigration.BorderAlertRaised.type]: async (event: EventEnvelope<Immigration.BorderAlertRaised>, ctx) => {
      const { suspect } = event.data;
      if (!suspect || suspect.agency !== ctx.agencyId) return;
      await ctx.decide(suspectDecider, suspectStream(suspect.id), {
        type: 'record-sighting',
        sighting: {
          checkpoint: event.data.checkpoint,
          direction: event.data.direction,
          seenAt: event.data.crossedAt,
          match: event.data.match,
          alert: { agency: agencyOfSource(event.source)!, id: event.data.alertId, eventId: event.id },
        },
      }, SIGHTING_RELEASE);
    },
    [Immigration.BorderAlertDismissed.type]: async (event: EventEnvelope<Immigration.BorderAlertDismissed>, ctx) => {
      const { suspect } = event.data;
      if (!suspect || suspect.agency !== ctx.agencyId) return;
      await ctx.decide(suspectDecider, suspectStream(suspect.id), {
        type: 'withdraw-sighting',
        alert: { agency: agencyOfSource(event.source)!, id: event.data.alertId, eventId: event.id },
        reason: event.data.reason,
      }, SIGHTING_RELEASE);
    },
  },
});
