import { defineProjection, personalDataReadBy } from './projection';

const handle = async () => undefined;

describe('the personal data a projection reads', () => {
  const suspects = defineProjection({
    name: 'suspects',
    tables: [],
    schema: [],
    readsPersonalData: ['intel.police.suspect-identified'],
    handlers: { 'intel.police.suspect-identified': handle, 'intel.police.suspect-sighted': handle },
  });
  const sightings = defineProjection({ name: 'sightings', tables: [], schema: [], handlers: { 'intel.police.suspect-sighted': handle } });

  it('opens the types it names, and by default every type it handles; never a type no handler takes', () => {
    const opens = personalDataReadBy([suspects]);
    expect(['intel.police.suspect-identified', 'intel.police.suspect-sighted', 'intel.police.raid-conducted'].map(opens)).toEqual([true, false, false]);
    const byDefault = personalDataReadBy([sightings]);
    expect(['intel.police.suspect-identified', 'intel.police.suspect-sighted'].map(byDefault)).toEqual([false, true]);
  });

  it('opens for projections read together whatever one of them reads', () => {
    const opens = personalDataReadBy([suspects, sightings]);
    expect(['intel.police.suspect-identified', 'intel.police.suspect-sighted', 'intel.police.raid-conducted'].map(opens)).toEqual([true, true, false]);
  });

  it('refuses to name a type it has no handler for', () => {
    expect(() => defineProjection({ ...suspects, readsPersonalData: ['intel.police.suspect-identified', 'intel.police.raid-conducted'] })).toThrow(
      'projection suspects says it reads the personal data of intel.police.raid-conducted, which it has no handler for',
    );
  });
});
