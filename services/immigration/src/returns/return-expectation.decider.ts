import { Decider, EventOf, Immigration } from '@interlink/contracts';

export type ReturnEvent = EventOf<typeof Immigration.ReturnExpected> | EventOf<typeof Immigration.VictimReturnRecorded>;
export type ReturnCommand =
  | ({ type: 'expect' } & Immigration.ReturnExpected)
  | ({ type: 'record-return' } & Immigration.VictimReturnRecorded);

export interface ReturnState {
  expected: boolean;
  returned: boolean;
}

export const returnStream = (expectationId: string) => `return-${expectationId}`;

/** A victim the foreign ministry is bringing home: expected at a checkpoint, then seen arriving, once. */
export const returnDecider: Decider<ReturnCommand, ReturnEvent, ReturnState> = {
  initialState: () => ({ expected: false, returned: false }),
  decide(command, state): ReturnEvent[] {
    const { type, ...data } = command;
    if (type === 'expect') return state.expected ? [] : [{ type: Immigration.ReturnExpected.type, data: data as Immigration.ReturnExpected }];
    if (!state.expected || state.returned) return [];
    return [{ type: Immigration.VictimReturnRecorded.type, data: data as Immigration.VictimReturnRecorded }];
  },
  evolve(state, event): ReturnState {
    return event.type === Immigration.ReturnExpected.type ? { ...state, expected: true } : { ...state, returned: true };
  },
};
