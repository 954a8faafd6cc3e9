import { EventEnvelope, ForeignMinistry } from '@interlink/contracts';
import { summariseHistory } from './summary';

let seconds = 0;
/** Only the envelope fields the summary reads; the events come one second apart. */
const event = (type: string, data: object): EventEnvelope => ({ type, data, time: new Date(Date.UTC(2024, 0, 1, 0, 0, seconds++)).toISOString() }) as EventEnvelope;

const person = { name: 'Siti Aisyah binti Rahman', birthDate: '1999-04-02', nationality: 'MY' };
const reported = (caseId: string, reportedOn: string, lastKnownCountry?: string) =>
  event(ForeignMinistry.VictimReported.type, { caseId, person, reportedBy: 'relative', reportedOn, ...(lastKnownCountry ? { lastKnownCountry } : {}) });
const located = (caseId: string, country: string) => event(ForeignMinistry.VictimLocated.type, { caseId, country, locatedOn: '2023-09-20' });
const rescued = (caseId: string, country: string, rescuedOn: string) => event(ForeignMinistry.VictimRescued.type, { caseId, country, rescuedOn });
const arranged = (caseId: string) => event(ForeignMinistry.RepatriationArranged.type, { caseId, person, expectedOn: '2023-11-01' });
const repatriated = (caseId: string, returnedOn: string) =>
  event(ForeignMinistry.VictimRepatriated.type, { caseId, returnedOn, checkpoint: 'KLIA', crossing: { agency: 'immigration', id: '018f3f5e-1c2d-7a00-8000-0000000000f1' } });
const closed = (caseId: string) => event(ForeignMinistry.CaseClosed.type, { caseId, reason: 'duplicate report' });
const flagged = (caseId: string) =>
  event(ForeignMinistry.CaseFlaggedForReview.type, { caseId, suspect: { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000e1' }, role: 'recruiter', match: { reason: 'passport', score: 1, explanation: 'x' } });
const reclassified = (caseId: string, outcome: 'victim' | 'suspect') => event(ForeignMinistry.CaseReclassified.type, { caseId, outcome, note: 'decided' });

describe('summariseHistory', () => {
  const history = [
    reported('home', '2023-09-01', 'KH'),
    rescued('home', 'MM', '2023-10-02'),
    arranged('home'),
    repatriated('home', '2023-11-01'),
    reported('abroad', '2023-09-15', 'KH'),
    located('abroad', 'LA'),
    reported('unknown-whereabouts', '2023-10-03'),
    reported('closed', '2023-10-04', 'KH'),
    rescued('closed', 'KH', '2023-10-20'),
    closed('closed'),
    reported('suspect', '2023-10-05', 'KH'),
    rescued('suspect', 'KH', '2023-10-21'),
    flagged('suspect'),
    reclassified('suspect', 'suspect'),
    reported('cleared', '2023-10-06', 'MM'),
    flagged('cleared'),
    reclassified('cleared', 'victim'),
  ];
  const summary = summariseHistory(history);

  it('counts a victim home as rescued and returned', () => expect(summary.rescuedAndReturned).toBe(1));
  it('counts open cases as still tracked, whatever their stage', () => expect(summary.stillTracked).toBe(3));
  it('totals the two', () => expect(summary.total).toBe(4));
  it('counts a victim home in the country they were rescued in', () => expect(summary.byCountry.MM).toEqual({ rescuedAndReturned: 1, stillTracked: 1, total: 2 }));
  it('counts an open case in the country it was last located in', () => expect(summary.byCountry.LA).toEqual({ rescuedAndReturned: 0, stillTracked: 1, total: 1 }));
  it('counts a case of no known country as unknown', () => expect(summary.byCountry.unknown).toEqual({ rescuedAndReturned: 0, stillTracked: 1, total: 1 }));
  it('leaves out closed cases and suspects from the case counts', () => expect(summary.byCountry.KH).toBeUndefined());
  it('counts reports by month, with closed cases but not suspects', () => expect([summary.byMonth['2023-09'].reported, summary.byMonth['2023-10'].reported]).toEqual([2, 3]));
  it('counts rescues by month, with closed cases but not suspects', () => expect(summary.byMonth['2023-10'].rescued).toBe(2));
  it('counts returns by month', () => expect(summary.byMonth['2023-11']).toEqual({ reported: 0, rescued: 0, returned: 1 }));
  it('is as of the latest case event', () => expect(summary.asOf).toBe(history[history.length - 1].time));
  it('is a case count still after a flag that was decided for the victim', () => expect(summariseHistory([reported('c', '2023-10-06', 'MM'), flagged('c'), reclassified('c', 'victim')]).stillTracked).toBe(1));
  it('ignores events that are not the ministry’s case events', () =>
    expect(summariseHistory([event('intel.police.suspect-identified', { suspectId: 'x' })])).toEqual({ rescuedAndReturned: 0, stillTracked: 0, total: 0, byCountry: {}, byMonth: {}, asOf: null }));
  it('is empty for no history', () => expect(summariseHistory([])).toEqual({ rescuedAndReturned: 0, stillTracked: 0, total: 0, byCountry: {}, byMonth: {}, asOf: null }));
});
