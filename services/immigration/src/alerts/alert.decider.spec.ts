import { Immigration } from '@interlink/contracts';
import { given } from '@interlink/testing';
import { AlertEvent, alertDecider } from './alert.decider';

const suspect = { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000d1' };
const raised: Immigration.BorderAlertRaised = {
  alertId: '018f3f5e-1c2d-7a00-8000-0000000000d2',
  crossingId: '018f3f5e-1c2d-7a00-8000-0000000000d3',
  entryId: '018f3f5e-1c2d-7a00-8000-0000000000d4',
  suspect,
  traveller: { name: 'Razak Othman', birthDate: '1979-05-23', nationality: 'MY', passport: { number: 'A28176645', country: 'MY' } },
  direction: 'outbound',
  checkpoint: 'KLIA',
  crossedAt: '2023-11-02T22:10:00.000Z',
  match: { reason: 'passport', score: 1, explanation: 'passport A28176645' },
};
const raisedEvent: AlertEvent = { type: Immigration.BorderAlertRaised.type, data: raised };

describe('border alert', () => {
  it('is raised once for a crossing and entry', () => {
    given(alertDecider).when({ type: 'raise', ...raised }).then([raisedEvent]);
    given(alertDecider, [raisedEvent]).when({ type: 'raise', ...raised }).thenNothing();
  });

  it('is confirmed or dismissed once, naming the suspect for police', () => {
    given(alertDecider).when({ type: 'confirm' }).thenRefused('alert-not-found');
    given(alertDecider, [raisedEvent])
      .when({ type: 'dismiss', reason: 'namesake' })
      .then([{ type: Immigration.BorderAlertDismissed.type, data: { alertId: raised.alertId, suspect, reason: 'namesake' } }]);
    const confirmed: AlertEvent = { type: Immigration.BorderAlertConfirmed.type, data: { alertId: raised.alertId, suspect, note: 'escorted' } };
    given(alertDecider, [raisedEvent]).when({ type: 'confirm', note: 'escorted' }).then([confirmed]);
    given(alertDecider, [raisedEvent, confirmed]).when({ type: 'dismiss', reason: 'x' }).thenRefused('alert-already-decided', /already confirmed/);
  });
});
