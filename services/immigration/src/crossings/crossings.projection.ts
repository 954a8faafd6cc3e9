import { EventEnvelope, Immigration, ImmigrationDataErased, PersonalDataErased } from '@interlink/contracts';
import { ERASED_TRAVELLER_COLUMNS, travellerColumns } from '../person-columns';
import { defineProjection } from '@interlink/projections';
import { CROSSINGS_DDL, CrossingRow } from './crossing.entity';

export const crossingsProjection = defineProjection({
  name: 'crossings',
  tables: ['crossings'],
  schema: [CROSSINGS_DDL],
  handlers: {
    [Immigration.BorderCrossingRecorded.type]: async (e: EventEnvelope<Immigration.BorderCrossingRecorded>, db) => {
      await db.insert(CrossingRow, {
        crossingId: e.data.crossingId,
        ...travellerColumns(e.data.traveller),
        direction: e.data.direction,
        checkpoint: e.data.checkpoint,
        crossedAt: new Date(e.data.crossedAt),
      });
    },
    // The traveller's crossing record was erased: its key, and so each copy of it, is gone.
    [ImmigrationDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db) => {
      await db.update(CrossingRow, { crossingId: e.data.ref }, ERASED_TRAVELLER_COLUMNS);
    },
  },
});
