import { Immigration } from '@interlink/contracts';
import { given } from '@interlink/testing';
import { WatchlistEvent, watchlistDecider } from './watchlist-entry.decider';

const entryId = '018f3f5e-1c2d-7a00-8000-0000000000c1';
const person = { name: 'Mohd Razak bin Othman', birthDate: '1979-05-23', nationality: 'MY' };
const added: WatchlistEvent = { type: Immigration.WatchlistEntryAdded.type, data: { entryId, person, reason: 'recruiter', role: 'recruiter' } };
const lifted: WatchlistEvent = { type: Immigration.WatchlistEntryLifted.type, data: { entryId, reason: 'cleared' } };

describe('watchlist entry', () => {
  it('is added once', () => {
    given(watchlistDecider).when({ type: 'add', entryId, person, reason: 'recruiter', role: 'recruiter' }).then([added]);
    given(watchlistDecider, [added]).when({ type: 'add', entryId, person, reason: 'again' }).thenRefused('entry-exists');
  });

  it("is added once per police suspect: the suspect's identification again adds nothing, also after the entry was lifted", () => {
    const suspect = { agency: 'police-th', id: '018f3f5e-1c2d-7a00-8000-0000000000d1', eventId: '018f3f5e-1c2d-7a00-8000-0000000000e1' };
    given(watchlistDecider).when({ type: 'add', entryId, person, reason: 'recruiter', role: 'recruiter', suspect }).then([{ ...added, data: { ...added.data, suspect } }]);
    given(watchlistDecider, [added]).when({ type: 'add', entryId, person, reason: 'again', suspect }).thenNothing();
    given(watchlistDecider, [added, lifted]).when({ type: 'add', entryId, person, reason: 'again', suspect }).thenNothing();
  });

  it('is lifted once, and only if it exists', () => {
    given(watchlistDecider).when({ type: 'lift', reason: 'x' }).thenRefused('entry-not-found');
    given(watchlistDecider, [added]).when({ type: 'lift', reason: 'cleared' }).then([lifted]);
    given(watchlistDecider, [added, lifted]).when({ type: 'lift', reason: 'again' }).thenRefused('entry-already-lifted');
  });

  it('records a new role while active, and nothing when the role is the same or the entry is lifted', () => {
    given(watchlistDecider, [added])
      .when({ type: 'amend-role', role: 'ringleader', reason: 'runs the ring' })
      .then([{ type: Immigration.WatchlistEntryAmended.type, data: { entryId, role: 'ringleader', reason: 'runs the ring' } }]);
    given(watchlistDecider, [added]).when({ type: 'amend-role', role: 'recruiter', reason: 'x' }).thenNothing();
    given(watchlistDecider, [added, lifted]).when({ type: 'amend-role', role: 'operator', reason: 'x' }).thenNothing();
  });
});

describe('watchlist entry withdrawn by its owner', () => {
  it('is withdrawn once, whatever its state, and then takes no role changes', () => {
    const withdrawn: WatchlistEvent = { type: Immigration.WatchlistEntryWithdrawn.type, data: { entryId, reason: 'access taken back' } };
    given(watchlistDecider).when({ type: 'withdraw', reason: 'x' }).thenNothing();
    given(watchlistDecider, [added]).when({ type: 'withdraw', reason: 'access taken back' }).then([withdrawn]);
    given(watchlistDecider, [added, lifted]).when({ type: 'withdraw', reason: 'access taken back' }).then([withdrawn]);
    given(watchlistDecider, [added, withdrawn]).when({ type: 'withdraw', reason: 'again' }).thenNothing();
    given(watchlistDecider, [added, withdrawn]).when({ type: 'amend-role', role: 'ringleader', reason: 'x' }).thenNothing();
  });
});
