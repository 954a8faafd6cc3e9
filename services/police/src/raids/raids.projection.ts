import { EventEnvelope, Police } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { RAIDS_DDL, RaidRow } from './raid.entity';

export const raidsProjection = defineProjection({
  name: 'raids',
  tables: ['raids'],
  schema: [RAIDS_DDL],
  // A rescued person is counted by their nationality, a field kept readable when the rest is sealed.
  readsPersonalData: [],
  handlers: {
    [Police.RaidConducted.type]: async (e: EventEnvelope<Police.RaidConducted>, db) => {
      const d = e.data;
      await db.insert(RaidRow, {
        raidId: d.raidId,
        place: d.place,
        city: d.city ?? null,
        country: d.country,
        conductedOn: d.conductedOn,
        partnerAgency: d.partnerAgency ?? null,
        syndicateId: d.syndicateId ?? null,
        rescuedCount: 0,
        rescuedByNationality: {},
      });
    },
    [Police.VictimsRescued.type]: async (e: EventEnvelope<Police.VictimsRescued>, db) => {
      const raid = await db.findOneByOrFail(RaidRow, { raidId: e.data.raidId! });
      const byNationality = { ...raid.rescuedByNationality };
      for (const p of e.data.persons) byNationality[p.nationality] = (byNationality[p.nationality] ?? 0) + 1;
      await db.update(RaidRow, { raidId: raid.raidId }, { rescuedCount: raid.rescuedCount + e.data.persons.length, rescuedByNationality: byNationality });
    },
  },
});
