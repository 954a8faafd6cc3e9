import { CaseFacts, monthsBetween, partitionLags, totals, victimsByCountry, victimsOverTime } from './figures';

const kase = (overrides: Partial<CaseFacts>): CaseFacts => ({
  country: 'PE',
  status: 'reported',
  reclassifiedAs: null,
  openedOn: '2023-09-02',
  rescuedOn: null,
  returnedOn: null,
  closedOn: null,
  ...overrides,
});

describe('dashboard figures', () => {
  const cases = [
    kase({ status: 'repatriated', rescuedOn: '2023-10-17', returnedOn: '2023-11-02' }),
    kase({ status: 'rescued', rescuedOn: '2023-10-17' }),
    kase({ status: 'located', country: 'KH', openedOn: '2023-10-05' }),
    kase({ status: 'closed', country: 'KH', closedOn: '2023-12-01' }),
    // Found to be a suspect: never a victim, never counted.
    kase({ status: 'rescued', rescuedOn: '2023-10-17', reclassifiedAs: 'suspect' }),
    kase({ status: 'reported', country: null, openedOn: '2024-01-15' }),
  ];

  it('counts victims rescued, repatriated and still tracked by country, leaving out persons found to be suspects', () => {
    const byCountry = victimsByCountry(cases);
    expect(byCountry).toEqual([
      { country: 'KH', rescued: 0, repatriated: 0, stillTracked: 1 },
      { country: 'PE', rescued: 2, repatriated: 1, stillTracked: 1 },
      { country: 'unknown', rescued: 0, repatriated: 0, stillTracked: 1 },
    ]);
    expect(totals(byCountry)).toEqual({ rescued: 2, repatriated: 1, stillTracked: 3 });
    // A return on record without a rescue date still counts as rescued.
    expect(victimsByCountry([kase({ status: 'repatriated', returnedOn: '2023-11-02' })])[0]).toMatchObject({ rescued: 1, repatriated: 1, stillTracked: 0 });
  });

  it('counts month by month: rescues and returns in the month, cases still tracked at its end', () => {
    expect(victimsOverTime(cases)).toEqual([
      { month: '2023-09', rescued: 0, repatriated: 0, stillTracked: 3 },
      { month: '2023-10', rescued: 2, repatriated: 0, stillTracked: 4 },
      { month: '2023-11', rescued: 0, repatriated: 1, stillTracked: 3 },
      { month: '2023-12', rescued: 0, repatriated: 0, stillTracked: 2 },
      { month: '2024-01', rescued: 0, repatriated: 0, stillTracked: 3 },
    ]);
    expect(victimsOverTime([])).toEqual([]);
    expect(monthsBetween('2023-11', '2024-02')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
  });

  it("measures each partition's lag from the committed offset, or from the oldest offset before the first commit", () => {
    const lags = partitionLags(
      [
        { topic: 'intel.police.task-force', sender: 'police', partitions: [{ partition: 1, high: '10', low: '0' }, { partition: 0, high: '7', low: '2' }] },
        { topic: 'intel.immigration.task-force', sender: 'immigration', partitions: [{ partition: 0, high: '0', low: '0' }] },
      ],
      [{ topic: 'intel.police.task-force', partitions: [{ partition: 1, offset: '8' }, { partition: 0, offset: '-1' }] }],
    );
    expect(lags).toEqual([
      { topic: 'intel.immigration.task-force', sender: 'immigration', partition: 0, high: 0, low: 0, committed: null, lag: 0 },
      { topic: 'intel.police.task-force', sender: 'police', partition: 0, high: 7, low: 2, committed: null, lag: 5 },
      { topic: 'intel.police.task-force', sender: 'police', partition: 1, high: 10, low: 0, committed: 8, lag: 2 },
    ]);
  });
});
