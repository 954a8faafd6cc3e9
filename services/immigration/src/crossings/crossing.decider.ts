import { Decider, DomainError, EventOf, Immigration } from '@interlink/contracts';

export type CrossingEvent = EventOf<typeof Immigration.BorderCrossingRecorded>;
export type CrossingCommand = { type: 'record' } & Immigration.BorderCrossingRecorded;

export const crossingStream = (crossingId: string) => `crossing-${crossingId}`;

/** A crossing is recorded once. */
export const crossingDecider: Decider<CrossingCommand, CrossingEvent, { recorded: boolean }> = {
  initialState: () => ({ recorded: false }),
  decide(command, state) {
    if (state.recorded) throw new DomainError('crossing-exists', `crossing ${command.crossingId} is already recorded`);
    const { type: _t, ...data } = command;
    return [{ type: Immigration.BorderCrossingRecorded.type, data }];
  },
  evolve: () => ({ recorded: true }),
};
