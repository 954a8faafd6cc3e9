import { AgencyRef, Decider, DomainError, EventOf, ForeignMinistry, MatchInfo, Person, Police } from '@interlink/contracts';

export type CaseEvent =
  | EventOf<typeof ForeignMinistry.VictimReported>
  | EventOf<typeof ForeignMinistry.VictimLocated>
  | EventOf<typeof ForeignMinistry.VictimRescued>
  | EventOf<typeof ForeignMinistry.RepatriationArranged>
  | EventOf<typeof ForeignMinistry.VictimRepatriated>
  | EventOf<typeof ForeignMinistry.CaseClosed>
  | EventOf<typeof ForeignMinistry.CaseFlaggedForReview>
  | EventOf<typeof ForeignMinistry.CaseReclassified>;

export type CaseCommand =
  | ({ type: 'report' } & ForeignMinistry.VictimReported)
  | { type: 'locate'; country: string; place?: string; locatedOn: string }
  | { type: 'rescue'; country: string; place?: string; rescuedOn: string; rescue?: AgencyRef; match?: MatchInfo }
  /** Without a person, the one reported is expected. */
  | { type: 'arrange-repatriation'; person?: Person; expectedOn: string; checkpoint?: string }
  | { type: 'record-return'; returnedOn: string; checkpoint: string; crossing: AgencyRef }
  | { type: 'close'; reason: string }
  | { type: 'flag-for-review'; suspect: AgencyRef; role: Police.SuspectRole; match: MatchInfo }
  | { type: 'reclassify'; outcome: ForeignMinistry.Reclassification; note: string };

export type CaseStatus = 'unknown' | 'reported' | 'located' | 'rescued' | 'repatriation-arranged' | 'repatriated' | 'closed';

export interface CaseState {
  caseId?: string;
  status: CaseStatus;
  person?: Person;
  /** Last known, located or rescued country, the latest wins. */
  country?: string;
  /** The police rescue the victim was reconciled with; absent when recorded by hand. */
  rescue?: AgencyRef;
  rescued: boolean;
  repatriationArranged: boolean;
  /** Flagged by a suspect match and not yet decided. */
  underReview: boolean;
  reclassifiedAs?: ForeignMinistry.Reclassification;
  flaggedSuspects: AgencyRef[];
}

export const caseStream = (caseId: string) => `case-${caseId}`;

const sameRef = (a: AgencyRef, b: AgencyRef) => a.agency === b.agency && a.id === b.id;

function known(state: CaseState): string {
  if (state.status === 'unknown' || !state.caseId) throw new DomainError('case-not-found', 'no victim case with this id has been reported; report it first (POST /cases)');
  return state.caseId;
}

/**
 * A case is open while the ministry still tracks the victim: not closed, not home yet, and
 * not found to be part of the syndicate.
 */
export function isOpen(state: CaseState): boolean {
  return state.status !== 'unknown' && state.status !== 'closed' && state.status !== 'repatriated' && state.reclassifiedAs !== 'suspect';
}

function open(state: CaseState, action: string): string {
  const caseId = known(state);
  if (state.status === 'closed') throw new DomainError('case-closed', `the case is closed; cannot ${action}. Report a new case if the person needs help again`);
  if (state.status === 'repatriated') throw new DomainError('victim-repatriated', `the victim is already home; cannot ${action}`);
  if (state.reclassifiedAs === 'suspect') {
    throw new DomainError('case-reclassified-as-suspect', `the person was found to be a suspect, so the ministry no longer tracks them as a victim; cannot ${action}`);
  }
  return caseId;
}

/**
 * Whether a police rescue may still be reconciled with this case: a victim who reached the
 * embassy on their own may have their repatriation arranged before police find them.
 */
export function awaitsRescue(state: CaseState): boolean {
  return isOpen(state) && !state.rescued;
}

/** A citizen reported missing or held abroad, from the report to their return home. */
export const caseDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  initialState: () => ({ status: 'unknown', rescued: false, repatriationArranged: false, underReview: false, flaggedSuspects: [] }),

  decide(command, state): CaseEvent[] {
    switch (command.type) {
      case 'report': {
        if (state.status !== 'unknown') throw new DomainError('case-already-reported', `case ${command.caseId} is already reported; use a new case id for another report`);
        const { type: _t, ...data } = command;
        return [{ type: ForeignMinistry.VictimReported.type, data }];
      }
      case 'locate': {
        const caseId = open(state, 'record where the victim is');
        if (state.rescued) throw new DomainError('victim-already-rescued', 'the victim was already rescued; arrange their repatriation instead');
        if (state.repatriationArranged) throw new DomainError('repatriation-already-arranged', 'the repatriation is already arranged; record the return when the victim arrives');
        const { type: _t, ...data } = command;
        return [{ type: ForeignMinistry.VictimLocated.type, data: { caseId, ...data } }];
      }
      case 'rescue': {
        const caseId = open(state, 'record a rescue');
        if (state.rescued) {
          // A partner reporting the same rescue again is no conflict; only another rescue is.
          if (command.rescue && state.rescue && sameRef(command.rescue, state.rescue)) return [];
          throw new DomainError('victim-already-rescued', 'the victim was already rescued; a case records one rescue');
        }
        const { type: _t, ...data } = command;
        return [{ type: ForeignMinistry.VictimRescued.type, data: { caseId, ...data } }];
      }
      case 'arrange-repatriation': {
        const caseId = open(state, 'arrange a repatriation');
        if (state.status === 'reported') throw new DomainError('victim-not-located', 'record where the victim is (located or rescued) before arranging their repatriation');
        // Immigration keeps one expected return per case, so a second arrangement would not reach the checkpoints.
        if (state.repatriationArranged) throw new DomainError('repatriation-already-arranged', 'the repatriation is already arranged; record the return when the victim arrives');
        return [
          {
            type: ForeignMinistry.RepatriationArranged.type,
            data: { caseId, person: command.person ?? state.person!, expectedOn: command.expectedOn, ...(command.checkpoint ? { checkpoint: command.checkpoint } : {}) },
          },
        ];
      }
      case 'record-return': {
        if (state.status === 'repatriated') return [];
        const caseId = open(state, 'record the return');
        if (!state.repatriationArranged) throw new DomainError('repatriation-not-arranged', 'arrange the repatriation before recording the return');
        const { type: _t, ...data } = command;
        return [{ type: ForeignMinistry.VictimRepatriated.type, data: { caseId, ...data } }];
      }
      case 'close': {
        const caseId = open(state, 'close it');
        return [{ type: ForeignMinistry.CaseClosed.type, data: { caseId, reason: command.reason } }];
      }
      case 'flag-for-review': {
        const caseId = open(state, 'flag it for review');
        if (state.flaggedSuspects.some((s) => sameRef(s, command.suspect))) return [];
        const { type: _t, ...data } = command;
        return [{ type: ForeignMinistry.CaseFlaggedForReview.type, data: { caseId, ...data } }];
      }
      case 'reclassify': {
        const caseId = open(state, 'reclassify it');
        if (!state.underReview) throw new DomainError('case-not-under-review', 'only a case flagged for review by a suspect match awaits a decision');
        return [{ type: ForeignMinistry.CaseReclassified.type, data: { caseId, outcome: command.outcome, note: command.note } }];
      }
    }
  },

  evolve(state, event): CaseState {
    switch (event.type) {
      case ForeignMinistry.VictimReported.type:
        return { ...state, caseId: event.data.caseId, status: 'reported', person: event.data.person, country: event.data.lastKnownCountry };
      case ForeignMinistry.VictimLocated.type:
        return { ...state, status: 'located', country: event.data.country };
      case ForeignMinistry.VictimRescued.type:
        // A rescue after the repatriation was arranged must not hide the arrangement.
        return { ...state, status: state.repatriationArranged ? state.status : 'rescued', country: event.data.country, rescued: true, rescue: event.data.rescue };
      case ForeignMinistry.RepatriationArranged.type:
        return { ...state, status: 'repatriation-arranged', repatriationArranged: true };
      case ForeignMinistry.VictimRepatriated.type:
        return { ...state, status: 'repatriated' };
      case ForeignMinistry.CaseClosed.type:
        return { ...state, status: 'closed' };
      case ForeignMinistry.CaseFlaggedForReview.type:
        return { ...state, underReview: true, flaggedSuspects: [...state.flaggedSuspects, event.data.suspect] };
      case ForeignMinistry.CaseReclassified.type:
        return { ...state, underReview: false, reclassifiedAs: event.data.outcome };
    }
  },
};
