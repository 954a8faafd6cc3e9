import { AgencyRef, Decider, DomainError, EventOf, Immigration, Person, Police } from '@interlink/contracts';

export type WatchlistEvent =
  | EventOf<typeof Immigration.WatchlistEntryAdded>
  | EventOf<typeof Immigration.WatchlistEntryAmended>
  | EventOf<typeof Immigration.WatchlistEntryLifted>
  | EventOf<typeof Immigration.WatchlistEntryWithdrawn>;

export type WatchlistCommand =
  | { type: 'add'; entryId: string; person: Person; reason: string; role?: Police.SuspectRole; suspect?: AgencyRef }
  | { type: 'amend-role'; role: Police.SuspectRole; reason: string }
  | { type: 'lift'; reason: string }
  | { type: 'withdraw'; reason: string };

export interface WatchlistState {
  entryId?: string;
  active: boolean;
  withdrawn?: boolean;
  role?: Police.SuspectRole;
}

export const watchlistStream = (entryId: string) => `watch-${entryId}`;

/** An entry on the watchlist: added (by a policy or by hand), amended, lifted. */
export const watchlistDecider: Decider<WatchlistCommand, WatchlistEvent, WatchlistState> = {
  initialState: () => ({ active: false }),
  decide(command, state): WatchlistEvent[] {
    switch (command.type) {
      case 'withdraw':
        if (!state.entryId || state.withdrawn) return [];
        return [{ type: Immigration.WatchlistEntryWithdrawn.type, data: { entryId: state.entryId, reason: command.reason } }];
      case 'add': {
        // The entry of a police suspect has an id derived from the suspect: when it exists, the
        // identification was acted on before (or redelivered), and there is nothing to add.
        if (state.entryId && command.suspect) return [];
        if (state.entryId) throw new DomainError('entry-exists', `watchlist entry ${command.entryId} already exists`);
        const { type: _t, ...data } = command;
        return [{ type: Immigration.WatchlistEntryAdded.type, data }];
      }
      case 'amend-role':
        if (!state.entryId) throw new DomainError('entry-not-found', 'no such watchlist entry');
        if (!state.active || state.role === command.role) return [];
        return [{ type: Immigration.WatchlistEntryAmended.type, data: { entryId: state.entryId, role: command.role, reason: command.reason } }];
      case 'lift':
        if (!state.entryId) throw new DomainError('entry-not-found', 'no such watchlist entry');
        if (!state.active) throw new DomainError('entry-already-lifted', 'this watchlist entry was already lifted');
        return [{ type: Immigration.WatchlistEntryLifted.type, data: { entryId: state.entryId, reason: command.reason } }];
    }
  },
  evolve(state, event): WatchlistState {
    switch (event.type) {
      case Immigration.WatchlistEntryAdded.type:
        return { entryId: event.data.entryId, active: true, role: event.data.role };
      case Immigration.WatchlistEntryAmended.type:
        return { ...state, role: event.data.role };
      case Immigration.WatchlistEntryLifted.type:
        return { ...state, active: false };
      case Immigration.WatchlistEntryWithdrawn.type:
        return { ...state, active: false, withdrawn: true };
    }
  },
};
