import { ForeignMinistry } from '@interlink/contracts';
import { given } from '@interlink/testing';
import { CaseEvent, awaitsRescue, caseDecider, isOpen } from './case.decider';

const caseId = '018f3f5e-1c2d-7a00-8000-0000000000c1';
const person = { name: 'Mohd Faizal bin Ahmad', birthDate: '1992-11-30', nationality: 'MY' };
const police = { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000d1', eventId: '018f3f5e-1c2d-7a00-8000-0000000000d2' };
const otherRescue = { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000d3' };
const suspect = { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000e1' };
const otherSuspect = { agency: 'police', id: '018f3f5e-1c2d-7a00-8000-0000000000e2' };
const crossing = { agency: 'immigration', id: '018f3f5e-1c2d-7a00-8000-0000000000f1' };
const match = { reason: 'name-and-birth-date' as const, score: 0.9, explanation: 'names agree by transliteration; birth dates agree (1992-11-30)' };

const reported: CaseEvent = { type: ForeignMinistry.VictimReported.type, data: { caseId, person, reportedBy: 'mp-office', reporter: 'Beruas MP service centre', lastKnownCountry: 'KH', reportedOn: '2023-09-01' } };
const located: CaseEvent = { type: ForeignMinistry.VictimLocated.type, data: { caseId, country: 'MM', place: 'KK Park, Myawaddy', locatedOn: '2023-09-20' } };
const rescued: CaseEvent = { type: ForeignMinistry.VictimRescued.type, data: { caseId, country: 'MM', rescuedOn: '2023-10-02', rescue: police, match } };
const rescuedByHand: CaseEvent = { type: ForeignMinistry.VictimRescued.type, data: { caseId, country: 'MM', rescuedOn: '2023-10-02' } };
const arranged: CaseEvent = { type: ForeignMinistry.RepatriationArranged.type, data: { caseId, person, expectedOn: '2023-10-10', checkpoint: 'KLIA' } };
const repatriated: CaseEvent = { type: ForeignMinistry.VictimRepatriated.type, data: { caseId, returnedOn: '2023-10-10', checkpoint: 'KLIA', crossing } };
const closed: CaseEvent = { type: ForeignMinistry.CaseClosed.type, data: { caseId, reason: 'report withdrawn by the family' } };
const flagged: CaseEvent = { type: ForeignMinistry.CaseFlaggedForReview.type, data: { caseId, suspect, role: 'recruiter', match } };
const clearedAsVictim: CaseEvent = { type: ForeignMinistry.CaseReclassified.type, data: { caseId, outcome: 'victim', note: 'coerced into recruiting' } };
const foundSuspect: CaseEvent = { type: ForeignMinistry.CaseReclassified.type, data: { caseId, outcome: 'suspect', note: 'ran the recruitment office' } };

const report = { type: 'report' as const, ...reported.data };
const locate = { type: 'locate' as const, country: 'MM', place: 'KK Park, Myawaddy', locatedOn: '2023-09-20' };
const rescue = { type: 'rescue' as const, country: 'MM', rescuedOn: '2023-10-02', rescue: police, match };
const arrange = { type: 'arrange-repatriation' as const, expectedOn: '2023-10-10', checkpoint: 'KLIA' };
const recordReturn = { type: 'record-return' as const, returnedOn: '2023-10-10', checkpoint: 'KLIA', crossing };
const close = { type: 'close' as const, reason: 'report withdrawn by the family' };
const flag = { type: 'flag-for-review' as const, suspect, role: 'recruiter' as const, match };
const reclassify = (outcome: 'victim' | 'suspect') => ({ type: 'reclassify' as const, outcome, note: outcome === 'victim' ? 'coerced into recruiting' : 'ran the recruitment office' });

const stateAfter = (events: CaseEvent[]) => events.reduce(caseDecider.evolve, caseDecider.initialState());

describe('victim case', () => {
  describe('report', () => {
    it('opens a case on a new stream', () => given(caseDecider).when(report).then([reported]));
    it('is refused on a case already reported', () => given(caseDecider, [reported]).when(report).thenRefused('case-already-reported'));
  });

  describe('locate', () => {
    it('records where a reported victim is', () => given(caseDecider, [reported]).when(locate).then([located]));
    it('records a newer location of a located victim', () => given(caseDecider, [reported, located]).when({ type: 'locate', country: 'LA', locatedOn: '2023-09-25' }).then([{ type: ForeignMinistry.VictimLocated.type, data: { caseId, country: 'LA', locatedOn: '2023-09-25' } }]));
    it('is refused without a report', () => given(caseDecider).when(locate).thenRefused('case-not-found', /report it first/));
    it('is refused once the victim is rescued', () => given(caseDecider, [reported, rescued]).when(locate).thenRefused('victim-already-rescued'));
    it('is refused once the repatriation is arranged', () => given(caseDecider, [reported, located, arranged]).when(locate).thenRefused('repatriation-already-arranged'));
    it('is refused on a closed case', () => given(caseDecider, [reported, closed]).when(locate).thenRefused('case-closed'));
    it('is refused once the victim is home', () => given(caseDecider, [reported, rescued, arranged, repatriated]).when(locate).thenRefused('victim-repatriated'));
    it('is refused once the person is found to be a suspect', () => given(caseDecider, [reported, flagged, foundSuspect]).when(locate).thenRefused('case-reclassified-as-suspect'));
  });

  describe('rescue', () => {
    it('records the rescue of a reported victim', () => given(caseDecider, [reported]).when(rescue).then([rescued]));
    it('records the rescue of a located victim', () => given(caseDecider, [reported, located]).when(rescue).then([rescued]));
    it('records a rescue by hand, without a police rescue', () => given(caseDecider, [reported]).when({ type: 'rescue', country: 'MM', rescuedOn: '2023-10-02' }).then([rescuedByHand]));
    it('records nothing for the same police rescue again', () => given(caseDecider, [reported, rescued]).when(rescue).thenNothing());
    it('is refused for another police rescue', () => given(caseDecider, [reported, rescued]).when({ ...rescue, rescue: otherRescue }).thenRefused('victim-already-rescued'));
    it('is refused a second time by hand', () => given(caseDecider, [reported, rescuedByHand]).when({ type: 'rescue', country: 'MM', rescuedOn: '2023-10-03' }).thenRefused('victim-already-rescued'));
    it('is refused without a report', () => given(caseDecider).when(rescue).thenRefused('case-not-found'));
    it('is refused on a closed case', () => given(caseDecider, [reported, closed]).when(rescue).thenRefused('case-closed'));
    it('is refused once the person is found to be a suspect', () => given(caseDecider, [reported, flagged, foundSuspect]).when(rescue).thenRefused('case-reclassified-as-suspect'));
    it('after the repatriation was arranged keeps the case repatriation-arranged', () => expect(stateAfter([reported, located, arranged, rescued]).status).toBe('repatriation-arranged'));
  });

  describe('arrange repatriation', () => {
    it('expects the reported person when no other is given', () => given(caseDecider, [reported, rescued]).when(arrange).then([arranged]));
    it('expects the person given, e.g. with the passport issued for the journey', () =>
      given(caseDecider, [reported, rescued])
        .when({ ...arrange, person: { ...person, passports: [{ number: 'A98765432', country: 'MY' }] } })
        .then([{ ...arranged, data: { ...arranged.data, person: { ...person, passports: [{ number: 'A98765432', country: 'MY' }] } } }]));
    it('omits the checkpoint when none is known', () =>
      given(caseDecider, [reported, rescued]).when({ type: 'arrange-repatriation', expectedOn: '2023-10-10' }).then([{ type: ForeignMinistry.RepatriationArranged.type, data: { caseId, person, expectedOn: '2023-10-10' } }]));
    it('is allowed for a located victim, e.g. one who reached the embassy', () => given(caseDecider, [reported, located]).when(arrange).then([arranged]));
    it('is refused a second time', () => given(caseDecider, [reported, rescued, arranged]).when({ ...arrange, expectedOn: '2023-10-12' }).thenRefused('repatriation-already-arranged'));
    it('is refused while the victim has not been found', () => given(caseDecider, [reported]).when(arrange).thenRefused('victim-not-located', /located or rescued/));
    it('is refused once the victim is home', () => given(caseDecider, [reported, rescued, arranged, repatriated]).when(arrange).thenRefused('victim-repatriated'));
    it('is refused on a closed case', () => given(caseDecider, [reported, rescued, closed]).when(arrange).thenRefused('case-closed'));
  });

  describe('record return', () => {
    it('records the victim home once the repatriation is arranged', () => given(caseDecider, [reported, rescued, arranged]).when(recordReturn).then([repatriated]));
    it('records nothing when the victim is already home', () => given(caseDecider, [reported, rescued, arranged, repatriated]).when(recordReturn).thenNothing());
    it('is refused before the repatriation is arranged', () => given(caseDecider, [reported, rescued]).when(recordReturn).thenRefused('repatriation-not-arranged', /arrange the repatriation/));
    it('is refused without a report', () => given(caseDecider).when(recordReturn).thenRefused('case-not-found'));
    it('is refused on a closed case', () => given(caseDecider, [reported, rescued, arranged, closed]).when(recordReturn).thenRefused('case-closed'));
    it('is refused once the person is found to be a suspect', () => given(caseDecider, [reported, rescued, arranged, flagged, foundSuspect]).when(recordReturn).thenRefused('case-reclassified-as-suspect'));
  });

  describe('close', () => {
    it('closes a reported case', () => given(caseDecider, [reported]).when(close).then([closed]));
    it('closes a case awaiting repatriation', () => given(caseDecider, [reported, rescued, arranged]).when(close).then([closed]));
    it('is refused on a closed case', () => given(caseDecider, [reported, closed]).when(close).thenRefused('case-closed'));
    it('is refused once the victim is home', () => given(caseDecider, [reported, rescued, arranged, repatriated]).when(close).thenRefused('victim-repatriated'));
    it('is refused without a report', () => given(caseDecider).when(close).thenRefused('case-not-found'));
  });

  describe('flag for review', () => {
    it('flags an open case matching a suspect', () => given(caseDecider, [reported]).when(flag).then([flagged]));
    it('flags a rescued case', () => given(caseDecider, [reported, rescued]).when(flag).then([flagged]));
    it('records nothing for the same suspect again', () => given(caseDecider, [reported, flagged]).when(flag).thenNothing());
    it('records nothing for the same suspect after a decision', () => given(caseDecider, [reported, flagged, clearedAsVictim]).when(flag).thenNothing());
    it('flags again for another suspect', () => given(caseDecider, [reported, flagged]).when({ ...flag, suspect: otherSuspect }).then([{ ...flagged, data: { ...flagged.data, suspect: otherSuspect } }]));
    it('is refused on a closed case', () => given(caseDecider, [reported, closed]).when(flag).thenRefused('case-closed'));
    it('is refused once the victim is home', () => given(caseDecider, [reported, rescued, arranged, repatriated]).when(flag).thenRefused('victim-repatriated'));
    it('is refused without a report', () => given(caseDecider).when(flag).thenRefused('case-not-found'));
  });

  describe('reclassify', () => {
    it('keeps a flagged case as a victim', () => given(caseDecider, [reported, flagged]).when(reclassify('victim')).then([clearedAsVictim]));
    it('finds a flagged person to be a suspect', () => given(caseDecider, [reported, flagged]).when(reclassify('suspect')).then([foundSuspect]));
    it('is refused on a case never flagged', () => given(caseDecider, [reported]).when(reclassify('suspect')).thenRefused('case-not-under-review'));
    it('is refused once decided', () => given(caseDecider, [reported, flagged, clearedAsVictim]).when(reclassify('suspect')).thenRefused('case-not-under-review'));
    it('is allowed again after another suspect flags the case', () =>
      given(caseDecider, [reported, flagged, clearedAsVictim, { ...flagged, data: { ...flagged.data, suspect: otherSuspect } }]).when(reclassify('suspect')).then([foundSuspect]));
    it('is refused once the person is found to be a suspect', () => given(caseDecider, [reported, flagged, foundSuspect]).when(reclassify('victim')).thenRefused('case-reclassified-as-suspect'));
    it('is refused on a closed case', () => given(caseDecider, [reported, flagged, closed]).when(reclassify('victim')).thenRefused('case-closed'));
  });

  describe('state', () => {
    it('is under review after a flag', () => expect(stateAfter([reported, flagged]).underReview).toBe(true));
    it('is no longer under review after the decision', () => expect(stateAfter([reported, flagged, clearedAsVictim]).underReview).toBe(false));
    it('remembers every suspect flagged', () => expect(stateAfter([reported, flagged, { ...flagged, data: { ...flagged.data, suspect: otherSuspect } }]).flaggedSuspects).toEqual([suspect, otherSuspect]));
    it('takes the country from the report', () => expect(stateAfter([reported]).country).toBe('KH'));
    it('takes the country from the latest location or rescue', () => expect(stateAfter([reported, { ...located, data: { ...located.data, country: 'LA' } }, rescued]).country).toBe('MM'));
    it('remembers the police rescue', () => expect(stateAfter([reported, rescued]).rescue).toEqual(police));
    it('is open while the victim is abroad', () => expect(isOpen(stateAfter([reported, rescued, arranged]))).toBe(true));
    it('is open while a victim flagged for review awaits the decision', () => expect(isOpen(stateAfter([reported, flagged]))).toBe(true));
    it('is not open once the victim is home', () => expect(isOpen(stateAfter([reported, rescued, arranged, repatriated]))).toBe(false));
    it('is not open once closed', () => expect(isOpen(stateAfter([reported, closed]))).toBe(false));
    it('is not open once the person is found to be a suspect', () => expect(isOpen(stateAfter([reported, flagged, foundSuspect]))).toBe(false));
    it('is not open before the report', () => expect(isOpen(caseDecider.initialState())).toBe(false));
    it('awaits a rescue while reported', () => expect(awaitsRescue(stateAfter([reported]))).toBe(true));
    it('awaits a rescue while arranged for a victim who was located, not rescued', () => expect(awaitsRescue(stateAfter([reported, located, arranged]))).toBe(true));
    it('awaits no rescue once rescued', () => expect(awaitsRescue(stateAfter([reported, rescued]))).toBe(false));
    it('awaits no rescue once closed', () => expect(awaitsRescue(stateAfter([reported, closed]))).toBe(false));
  });
});
