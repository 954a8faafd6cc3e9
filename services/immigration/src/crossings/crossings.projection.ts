import { EventEnvelope, Immigration } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { CROSSINGS_DDL, CrossingRow } from './crossing.entity';

export const crossingsProjection = defineProjection({
  name: 'crossings',
  tables: ['crossings'],
  schema: [CROSSINGS_DDL],
  handlers: {
    [Immigration.BorderCrossingRecorded.type]: async (e: EventEnvelope<Immigration.BorderCrossingRecorded>, db) => {
      const { traveller } = e.data;
      await db.insert(CrossingRow, {
        crossingId: e.data.crossingId,
        name: traveller.name,
        birthDate: traveller.birthDate,
        nationality: traveller.nationality,
        passportNumber: traveller.passport.number,
        passportCountry: traveller.passport.country,
        direction: e.data.direction,
        checkpoint: e.data.checkpoint,
        crossedAt: new Date(e.data.crossedAt),
      });
    },
  },
});
