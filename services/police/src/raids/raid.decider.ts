import { Decider, DomainError, EventOf, Police } from '@interlink/contracts';

export type RaidEvent = EventOf<typeof Police.RaidConducted> | EventOf<typeof Police.VictimsRescued>;
export type RaidCommand =
  | ({ type: 'conduct' } & Police.RaidConducted)
  | ({ type: 'rescue' } & Omit<Police.VictimsRescued, 'raidId'>);
export interface RaidState {
  raidId?: string;
  rescues: string[];
}

export const raidStream = (raidId: string) => `raid-${raidId}`;

/** A raid, and the rescues of victims found in it. */
export const raidDecider: Decider<RaidCommand, RaidEvent, RaidState> = {
  initialState: () => ({ rescues: [] }),
  decide(command, state) {
    if (command.type === 'conduct') {
      if (state.raidId) throw new DomainError('raid-already-recorded', `raid ${command.raidId} is already recorded`);
      const { type: _t, ...data } = command;
      return [{ type: Police.RaidConducted.type, data }];
    }
    if (!state.raidId) throw new DomainError('raid-not-found', 'record the raid before the rescues made in it');
    if (state.rescues.includes(command.rescueId)) throw new DomainError('rescue-already-recorded', `rescue ${command.rescueId} is already recorded`);
    const ids = new Set(command.persons.map((p) => p.personId));
    if (ids.size !== command.persons.length) throw new DomainError('duplicate-person', 'each rescued person needs their own person id');
    const { type: _t, ...data } = command;
    return [{ type: Police.VictimsRescued.type, data: { ...data, raidId: state.raidId } }];
  },
  evolve(state, event) {
    return event.type === Police.RaidConducted.type
      ? { ...state, raidId: event.data.raidId }
      : { ...state, rescues: [...state.rescues, event.data.rescueId] };
  },
};
