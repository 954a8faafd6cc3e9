import { EventEnvelope, ForeignMinistry, ForeignMinistryDataErased, PersonalDataErased, agencyOfSource, deterministicUuid } from '@interlink/contracts';
import { Release, definePolicy } from '@interlink/agency-kit';
import { returnDecider, returnStream } from './return-expectation.decider';

export const RETURN_EXPECTED_RELEASE: Release = { classification: 'AMBER', to: [], handling: ['personal-data', 'victim-identity'] };
/** The arrival goes back to the ministry that is bringing the victim home. */
export const VICTIM_RETURN_RELEASE: Release = { classification: 'AMBER', to: ['foreign-ministry', 'task-force'], handling: ['personal-data', 'victim-identity'] };

/** One expected return per ministry case. */
export const expectationIdForCase = (ministry: string, caseId: string) => deterministicUuid('return', ministry, caseId);

/** When the foreign ministry arranges a repatriation, checkpoints start watching for the arrival. */
export const returnsPolicy = definePolicy({
  name: 'returns-from-ministry',
  on: {
    [ForeignMinistry.RepatriationArranged.type]: async (event: EventEnvelope<ForeignMinistry.RepatriationArranged>, ctx) => {
      const ministry = agencyOfSource(event.source)!;
      const expectationId = expectationIdForCase(ministry, event.data.caseId);
      await ctx.decide(returnDecider, returnStream(expectationId), {
        type: 'expect',
        expectationId,
        case: { agency: ministry, id: event.data.caseId, eventId: event.id },
        person: event.data.person,
        expectedOn: event.data.expectedOn,
        ...(event.data.checkpoint ? { checkpoint: event.data.checkpoint } : {}),
      }, RETURN_EXPECTED_RELEASE);
    },
    // The ministry erased a victim's case: the expectation holds a copy of their personal data.
    [ForeignMinistryDataErased.type]: async (event: EventEnvelope<PersonalDataErased>, ctx) => {
      const ministry = agencyOfSource(event.source)!;
      await ctx.erasePersonalData(expectationIdForCase(ministry, event.data.ref), `erased by ${ministry}: ${event.data.reason}`, { agency: ministry, ref: event.data.ref });
    },
  },
});
