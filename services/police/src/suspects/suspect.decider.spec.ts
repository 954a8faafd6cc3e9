import { Police } from '@interlink/contracts';
import { given } from '@interlink/testing';
import { SuspectEvent, suspectDecider } from './suspect.decider';

const suspectId = '018f3f5e-1c2d-7a00-8000-0000000000a1';
const person = { name: 'Tan Ah Kow', birthDate: '1985-03-02', nationality: 'MY', passports: [{ number: 'A12345678', country: 'MY' }] };
const identified: SuspectEvent = { type: Police.SuspectIdentified.type, data: { suspectId, person, role: 'recruiter' } };
const arrested: SuspectEvent = { type: Police.SuspectArrested.type, data: { suspectId, arrestedOn: '2023-10-20', place: 'KLIA', country: 'MY' } };
const charged: SuspectEvent = { type: Police.SuspectCharged.type, data: { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2023-11-01' } };
const cleared: SuspectEvent = { type: Police.SuspectCleared.type, data: { suspectId, clearedOn: '2023-12-01', reason: 'mistaken identity' } };
const alert = { agency: 'immigration', id: '018f3f5e-1c2d-7a00-8000-0000000000b1' };
const sighting = { checkpoint: 'KLIA', direction: 'outbound' as const, seenAt: '2023-10-19T08:00:00.000Z', match: { reason: 'passport' as const, score: 1, explanation: 'passport A12345678' }, alert };

describe('suspect', () => {
  it('is identified once', () => {
    given(suspectDecider).when({ type: 'identify', suspectId, person, role: 'recruiter' }).then([identified]);
    given(suspectDecider, [identified]).when({ type: 'identify', suspectId, person, role: 'recruiter' }).thenRefused('suspect-already-identified');
  });

  it('is arrested, then charged, then convicted, in that order', () => {
    given(suspectDecider).when({ type: 'arrest', arrestedOn: '2023-10-20', place: 'KLIA', country: 'MY' }).thenRefused('suspect-not-found');
    given(suspectDecider, [identified]).when({ type: 'charge', law: 'ATIPSOM 2007', section: '12', chargedOn: '2023-11-01' }).thenRefused('suspect-not-arrested');
    given(suspectDecider, [identified]).when({ type: 'arrest', arrestedOn: '2023-10-20', place: 'KLIA', country: 'MY' }).then([arrested]);
    given(suspectDecider, [identified, arrested]).when({ type: 'convict', convictedOn: '2024-01-01', sentence: '5 years' }).thenRefused('suspect-not-charged');
    given(suspectDecider, [identified, arrested, charged])
      .when({ type: 'convict', convictedOn: '2024-01-01', sentence: '5 years' })
      .then([{ type: Police.SuspectConvicted.type, data: { suspectId, convictedOn: '2024-01-01', sentence: '5 years' } }]);
  });

  it('once cleared, can be neither arrested nor given another role', () => {
    given(suspectDecider, [identified, cleared]).when({ type: 'arrest', arrestedOn: '2024-01-01', place: 'x', country: 'MY' }).thenRefused('suspect-cleared');
    given(suspectDecider, [identified, cleared]).when({ type: 'change-role', to: 'operator', reason: 'x' }).thenRefused('suspect-cleared');
  });

  it('changes role only to a different one, recording the old one', () => {
    given(suspectDecider, [identified]).when({ type: 'change-role', to: 'recruiter', reason: 'x' }).thenRefused('role-unchanged');
    given(suspectDecider, [identified])
      .when({ type: 'change-role', to: 'ringleader', reason: 'runs the Lima call centre' })
      .then([{ type: Police.SuspectRoleChanged.type, data: { suspectId, from: 'recruiter', to: 'ringleader', reason: 'runs the Lima call centre' } }]);
  });

  it('records a sighting once per alert and withdraws only a standing one', () => {
    const sighted: SuspectEvent = { type: Police.SuspectSighted.type, data: { suspectId, ...sighting } };
    given(suspectDecider).when({ type: 'record-sighting', sighting }).thenNothing();
    given(suspectDecider, [identified]).when({ type: 'record-sighting', sighting }).then([sighted]);
    given(suspectDecider, [identified, sighted]).when({ type: 'record-sighting', sighting }).thenNothing();
    given(suspectDecider, [identified]).when({ type: 'withdraw-sighting', alert, reason: 'other person' }).thenNothing();
    given(suspectDecider, [identified, sighted])
      .when({ type: 'withdraw-sighting', alert, reason: 'other person' })
      .then([{ type: Police.SightingWithdrawn.type, data: { suspectId, alert, reason: 'other person' } }]);
  });
});

describe('suspect marking', () => {
  it('changes who may hold the suspect, and only for a suspect police hold', () => {
    given(suspectDecider).when({ type: 'change-marking', classification: 'RED', releasableTo: [], reason: 'informant' }).thenRefused('suspect-not-found');
    given(suspectDecider, [identified])
      .when({ type: 'change-marking', classification: 'AMBER', releasableTo: ['foreign-ministry'], reason: 'source protection' })
      .then([{ type: Police.SuspectMarkingChanged.type, data: { suspectId, classification: 'AMBER', releasableTo: ['foreign-ministry'], reason: 'source protection' } }]);
  });
});
