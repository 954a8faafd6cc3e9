import { Decider, DomainError, EventOf, Immigration } from '@interlink/contracts';

export type AlertEvent =
  | EventOf<typeof Immigration.BorderAlertRaised>
  | EventOf<typeof Immigration.BorderAlertConfirmed>
  | EventOf<typeof Immigration.BorderAlertDismissed>;

export type AlertCommand =
  | ({ type: 'raise' } & Immigration.BorderAlertRaised)
  | { type: 'confirm'; note?: string }
  | { type: 'dismiss'; reason: string };

export interface AlertState {
  raised?: Immigration.BorderAlertRaised;
  decision?: 'confirmed' | 'dismissed';
}

export const alertStream = (alertId: string) => `alert-${alertId}`;

/** A border alert: raised by a watchlist match, then confirmed or dismissed by an officer, once. */
export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  initialState: () => ({}),
  decide(command, state): AlertEvent[] {
    if (command.type === 'raise') {
      if (state.raised) return [];
      const { type: _t, ...data } = command;
      return [{ type: Immigration.BorderAlertRaised.type, data }];
    }
    if (!state.raised) throw new DomainError('alert-not-found', 'no such border alert');
    if (state.decision) throw new DomainError('alert-already-decided', `this alert was already ${state.decision}`);
    const suspect = state.raised.suspect ? { suspect: state.raised.suspect } : {};
    return command.type === 'confirm'
      ? [{ type: Immigration.BorderAlertConfirmed.type, data: { alertId: state.raised.alertId, ...suspect, ...(command.note ? { note: command.note } : {}) } }]
      : [{ type: Immigration.BorderAlertDismissed.type, data: { alertId: state.raised.alertId, ...suspect, reason: command.reason } }];
  },
  evolve(state, event): AlertState {
    switch (event.type) {
      case Immigration.BorderAlertRaised.type:
        return { raised: event.data };
      case Immigration.BorderAlertConfirmed.type:
        return { ...state, decision: 'confirmed' };
      case Immigration.BorderAlertDismissed.type:
        return { ...state, decision: 'dismissed' };
    }
  },
};
