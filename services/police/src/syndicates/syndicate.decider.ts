import { Decider, DomainError, EventOf, Police } from '@interlink/contracts';

export type SyndicateEvent = EventOf<typeof Police.SyndicateIdentified>;
export type SyndicateCommand = { type: 'identify' } & Police.SyndicateIdentified;
export interface SyndicateState {
  identified: boolean;
}

export const syndicateStream = (syndicateId: string) => `syndicate-${syndicateId}`;

export const syndicateDecider: Decider<SyndicateCommand, SyndicateEvent, SyndicateState> = {
  initialState: () => ({ identified: false }),
  decide(command, state) {
    if (state.identified) throw new DomainError('syndicate-already-identified', `syndicate ${command.syndicateId} is already identified`);
    const { type: _t, ...data } = command;
    return [{ type: Police.SyndicateIdentified.type, data }];
  },
  evolve: () => ({ identified: true }),
};
