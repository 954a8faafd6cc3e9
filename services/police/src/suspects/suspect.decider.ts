import { Classification, Decider, DomainError, EventOf, Person, Police } from '@interlink/contracts';

export type SuspectEvent =
  | EventOf<typeof Police.SuspectIdentified>
  | EventOf<typeof Police.SuspectArrested>
  | EventOf<typeof Police.SuspectCharged>
  | EventOf<typeof Police.SuspectConvicted>
  | EventOf<typeof Police.SuspectCleared>
  | EventOf<typeof Police.SuspectRoleChanged>
  | EventOf<typeof Police.SuspectSighted>
  | EventOf<typeof Police.SightingWithdrawn>
  | EventOf<typeof Police.SuspectMarkingChanged>;

export type SuspectCommand =
  | { type: 'identify'; suspectId: string; person: Person; role: Police.SuspectRole; syndicateId?: string }
  | { type: 'arrest'; arrestedOn: string; place: string; country: string }
  | { type: 'charge'; law: string; section: string; chargedOn: string; court?: string }
  | { type: 'convict'; convictedOn: string; sentence: string }
  | { type: 'clear'; clearedOn: string; reason: string }
  | { type: 'change-role'; to: Police.SuspectRole; reason: string }
  | { type: 'record-sighting'; sighting: Omit<Police.SuspectSighted, 'suspectId'> }
  | { type: 'withdraw-sighting'; alert: Police.SightingWithdrawn['alert']; reason: string }
  | { type: 'change-marking'; classification: Classification; releasableTo: string[]; reason: string };

export type SuspectStatus = 'unknown' | 'identified' | 'arrested' | 'charged' | 'convicted' | 'cleared';

export interface SuspectState {
  suspectId?: string;
  status: SuspectStatus;
  role?: Police.SuspectRole;
  /** Alert ids of sightings on record, each with whether it still stands. */
  sightings: Record<string, boolean>;
  /** The marking the owner chose for the suspect's events, once changed from the default. */
  marking?: { classification: Classification; releasableTo: string[] };
}

export const suspectStream = (suspectId: string) => `suspect-${suspectId}`;

function known(state: SuspectState): string {
  if (state.status === 'unknown' || !state.suspectId) throw new DomainError('suspect-not-found', 'no suspect with this id has been identified');
  return state.suspectId;
}

function open(state: SuspectState, action: string): string {
  const id = known(state);
  if (state.status === 'cleared') throw new DomainError('suspect-cleared', `the suspect was cleared; cannot ${action}`);
  if (state.status === 'convicted') throw new DomainError('suspect-convicted', `the suspect was convicted; cannot ${action}`);
  return id;
}

/** A suspect's life: identification, arrest, charge, verdict, role changes and border sightings. */
export const suspectDecider: Decider<SuspectCommand, SuspectEvent, SuspectState> = {
  initialState: () => ({ status: 'unknown', sightings: {} }),

  decide(command, state): SuspectEvent[] {
    switch (command.type) {
      case 'identify':
        if (state.status !== 'unknown') throw new DomainError('suspect-already-identified', `suspect ${command.suspectId} is already identified; use a new suspect id or amend the existing one`);
        return [{ type: Police.SuspectIdentified.type, data: { suspectId: command.suspectId, person: command.person, role: command.role, ...(command.syndicateId ? { syndicateId: command.syndicateId } : {}) } }];
      case 'arrest': {
        const suspectId = open(state, 'arrest');
        if (state.status !== 'identified') throw new DomainError('suspect-already-arrested', `the suspect is already ${state.status}`);
        return [{ type: Police.SuspectArrested.type, data: { suspectId, arrestedOn: command.arrestedOn, place: command.place, country: command.country } }];
      }
      case 'charge': {
        const suspectId = open(state, 'charge');
        if (state.status !== 'arrested' && state.status !== 'charged') throw new DomainError('suspect-not-arrested', 'arrest the suspect before charging them');
        const { type: _t, ...data } = command;
        return [{ type: Police.SuspectCharged.type, data: { suspectId, ...data } }];
      }
      case 'convict': {
        const suspectId = open(state, 'convict');
        if (state.status !== 'charged') throw new DomainError('suspect-not-charged', 'only a charged suspect can be convicted');
        return [{ type: Police.SuspectConvicted.type, data: { suspectId, convictedOn: command.convictedOn, sentence: command.sentence } }];
      }
      case 'clear': {
        const suspectId = open(state, 'clear them');
        return [{ type: Police.SuspectCleared.type, data: { suspectId, clearedOn: command.clearedOn, reason: command.reason } }];
      }
      case 'change-role': {
        const suspectId = open(state, 'change their role');
        if (state.role === command.to) throw new DomainError('role-unchanged', `the suspect's role is already ${command.to}`);
        return [{ type: Police.SuspectRoleChanged.type, data: { suspectId, from: state.role!, to: command.to, reason: command.reason } }];
      }
      // Sightings are reactions to immigration's alerts: one about a suspect we do not hold is not ours to record.
      case 'record-sighting': {
        if (!state.suspectId || command.sighting.alert.id in state.sightings) return [];
        const suspectId = state.suspectId;
        return [{ type: Police.SuspectSighted.type, data: { suspectId, ...command.sighting } }];
      }
      case 'change-marking': {
        const suspectId = known(state);
        return [{ type: Police.SuspectMarkingChanged.type, data: { suspectId, classification: command.classification, releasableTo: command.releasableTo, reason: command.reason } }];
      }
      case 'withdraw-sighting': {
        if (!state.suspectId || state.sightings[command.alert.id] !== true) return [];
        const suspectId = state.suspectId;
        return [{ type: Police.SightingWithdrawn.type, data: { suspectId, alert: command.alert, reason: command.reason } }];
      }
    }
  },

  evolve(state, event): SuspectState {
    switch (event.type) {
      case Police.SuspectIdentified.type:
        return { ...state, suspectId: event.data.suspectId, status: 'identified', role: event.data.role };
      case Police.SuspectArrested.type:
        return { ...state, status: 'arrested' };
      case Police.SuspectCharged.type:
        return { ...state, status: 'charged' };
      case Police.SuspectConvicted.type:
        return { ...state, status: 'convicted' };
      case Police.SuspectCleared.type:
        return { ...state, status: 'cleared' };
      case Police.SuspectRoleChanged.type:
        return { ...state, role: event.data.to };
      case Police.SuspectSighted.type:
        return { ...state, sightings: { ...state.sightings, [event.data.alert.id]: true } };
      case Police.SightingWithdrawn.type:
        return { ...state, sightings: { ...state.sightings, [event.data.alert.id]: false } };
      case Police.SuspectMarkingChanged.type:
        return { ...state, marking: { classification: event.data.classification, releasableTo: event.data.releasableTo } };
    }
  },
};
