import { EventEnvelope, Immigration, ImmigrationDataErased, PersonalDataErased } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { ERASED_PERSON_COLUMNS, personColumns } from '../person-columns';
import { WATCHLIST_DDL, WatchlistRow } from './watchlist.entity';

export const watchlistProjection = defineProjection({
  name: 'watchlist',
  tables: ['watchlist'],
  schema: [WATCHLIST_DDL],
  handlers: {
    [Immigration.WatchlistEntryAdded.type]: async (e: EventEnvelope<Immigration.WatchlistEntryAdded>, db) => {
      await db.insert(WatchlistRow, {
        entryId: e.data.entryId,
        ...personColumns(e.data.person),
        reason: e.data.reason,
        role: e.data.role ?? null,
        suspect: e.data.suspect ?? null,
        status: 'active',
        liftReason: null,
        correlationId: e.correlationid,
        addedAt: new Date(e.time),
        updatedAt: new Date(e.time),
      });
    },
    [Immigration.WatchlistEntryAmended.type]: async (e: EventEnvelope<Immigration.WatchlistEntryAmended>, db) => {
      await db.update(WatchlistRow, { entryId: e.data.entryId }, { role: e.data.role, updatedAt: new Date(e.time) });
    },
    // The owner took back our access: the personal data leaves the read model.
    [Immigration.WatchlistEntryWithdrawn.type]: async (e: EventEnvelope<Immigration.WatchlistEntryWithdrawn>, db) => {
      await db.delete(WatchlistRow, { entryId: e.data.entryId });
    },
    [ImmigrationDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db) => {
      await db.update(WatchlistRow, { entryId: e.data.ref }, { ...ERASED_PERSON_COLUMNS, updatedAt: new Date(e.time) });
    },
    [Immigration.WatchlistEntryLifted.type]: async (e: EventEnvelope<Immigration.WatchlistEntryLifted>, db) => {
      await db.update(WatchlistRow, { entryId: e.data.entryId }, { status: 'lifted', liftReason: e.data.reason, updatedAt: new Date(e.time) });
    },
  },
});
