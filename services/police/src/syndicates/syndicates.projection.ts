import { EventEnvelope, Police } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { SYNDICATES_DDL, SyndicateRow } from './syndicate.entity';

export const syndicatesProjection = defineProjection({
  name: 'syndicates',
  tables: ['syndicates'],
  schema: [SYNDICATES_DDL],
  handlers: {
    [Police.SyndicateIdentified.type]: async (e: EventEnvelope<Police.SyndicateIdentified>, db) => {
      const { syndicateId, name, scamTypes, countries, places } = e.data;
      await db.insert(SyndicateRow, { syndicateId, name, scamTypes, countries, places, identifiedAt: new Date(e.time) });
    },
  },
});
