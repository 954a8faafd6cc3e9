import { Immigration } from '@interlink/contracts';
import { given } from '@interlink/testing';
import { ReturnEvent, returnDecider } from './return-expectation.decider';

const expected: Immigration.ReturnExpected = {
  expectationId: '018f3f5e-1c2d-7a00-8000-0000000000e1',
  case: { agency: 'foreign-ministry', id: '018f3f5e-1c2d-7a00-8000-0000000000e2' },
  person: { name: 'Siti Aisyah binti Abdullah', birthDate: '1992-03-08', nationality: 'MY' },
  expectedOn: '2023-10-24',
};
const returned: Immigration.VictimReturnRecorded = {
  expectationId: expected.expectationId,
  crossingId: '018f3f5e-1c2d-7a00-8000-0000000000e3',
  case: expected.case,
  traveller: { name: 'Siti Aisyah Abdullah', birthDate: '1992-03-08', nationality: 'MY', passport: { number: 'A31015838', country: 'MY' } },
  checkpoint: 'KLIA',
  crossedAt: '2023-10-24T06:40:00.000Z',
  match: { reason: 'name-and-birth-date', score: 0.95, explanation: 'same name and birth date' },
};
const expectedEvent: ReturnEvent = { type: Immigration.ReturnExpected.type, data: expected };
const returnedEvent: ReturnEvent = { type: Immigration.VictimReturnRecorded.type, data: returned };

describe('expected return of a victim', () => {
  it('is expected once', () => {
    given(returnDecider).when({ type: 'expect', ...expected }).then([expectedEvent]);
    given(returnDecider, [expectedEvent]).when({ type: 'expect', ...expected }).thenNothing();
  });

  it('records one arrival, and none that nobody expected', () => {
    given(returnDecider).when({ type: 'record-return', ...returned }).thenNothing();
    given(returnDecider, [expectedEvent]).when({ type: 'record-return', ...returned }).then([returnedEvent]);
    given(returnDecider, [expectedEvent, returnedEvent]).when({ type: 'record-return', ...returned }).thenNothing();
  });
});
