import { EventEnvelope, PersonalDataErased, Police, PoliceDataErased, agencyOfSource, deterministicUuid } from '@interlink/contracts';
import { Release, definePolicy } from '@interlink/agency-kit';
import { watchlistDecider, watchlistStream } from './watchlist-entry.decider';

/** The watchlist stays inside immigration. */
export const WATCHLIST_RELEASE: Release = { classification: 'AMBER', to: [], handling: ['personal-data'] };

/** One watchlist entry per police suspect: the same id however often the identification arrives. */
export const entryIdForSuspect = (policeAgency: string, suspectId: string) => deterministicUuid('watchlist', policeAgency, suspectId);

/**
 * Police suspects released to immigration go on the watchlist; a cleared suspect comes off it;
 * a change of role is recorded on the entry.
 */
export const watchlistPolicy = definePolicy({
  name: 'watchlist-from-police',
  on: {
    [Police.SuspectIdentified.type]: async (event: EventEnvelope<Police.SuspectIdentified>, ctx) => {
      const police = agencyOfSource(event.source)!;
      const entryId = entryIdForSuspect(police, event.data.suspectId);
      // Adds nothing when the suspect's entry exists (see the decider): no read before the decision.
      await ctx.decide(watchlistDecider, watchlistStream(entryId), {
        type: 'add',
        entryId,
        person: event.data.person,
        reason: `identified by ${police} as a ${event.data.role}`,
        role: event.data.role,
        suspect: { agency: police, id: event.data.suspectId, eventId: event.id },
      }, WATCHLIST_RELEASE);
    },
    [Police.SuspectCleared.type]: async (event: EventEnvelope<Police.SuspectCleared>, ctx) => {
      const entryId = entryIdForSuspect(agencyOfSource(event.source)!, event.data.suspectId);
      const { state } = await ctx.load(watchlistDecider, watchlistStream(entryId));
      if (!state.active) return;
      await ctx.decide(watchlistDecider, watchlistStream(entryId), { type: 'lift', reason: `cleared by police: ${event.data.reason}` }, WATCHLIST_RELEASE);
    },
    [Police.SuspectMarkingChanged.type]: async (event: EventEnvelope<Police.SuspectMarkingChanged>, ctx) => {
      const keeps = event.data.classification !== 'RED' && event.data.releasableTo.includes(ctx.agencyId);
      if (keeps) return;
      const entryId = entryIdForSuspect(agencyOfSource(event.source)!, event.data.suspectId);
      await ctx.decide(watchlistDecider, watchlistStream(entryId), { type: 'withdraw', reason: `police withdrew immigration's access: ${event.data.reason}` }, WATCHLIST_RELEASE);
    },
    // Police erased a suspect's personal data: the entry holds a copy of it, which goes too.
    [PoliceDataErased.type]: async (event: EventEnvelope<PersonalDataErased>, ctx) => {
      const police = agencyOfSource(event.source)!;
      await ctx.erasePersonalData(entryIdForSuspect(police, event.data.ref), `erased by ${police}: ${event.data.reason}`, { agency: police, ref: event.data.ref });
    },
    [Police.SuspectRoleChanged.type]: async (event: EventEnvelope<Police.SuspectRoleChanged>, ctx) => {
      const entryId = entryIdForSuspect(agencyOfSource(event.source)!, event.data.suspectId);
      const { state } = await ctx.load(watchlistDecider, watchlistStream(entryId));
      if (!state.entryId) return;
      await ctx.decide(watchlistDecider, watchlistStream(entryId), { type: 'amend-role', role: event.data.to, reason: event.data.reason }, WATCHLIST_RELEASE);
    },
  },
});
