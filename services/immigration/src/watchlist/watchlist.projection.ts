import { EventEnvelope, Immigration } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';
import { defineProjection } from '@interlink/projections';
import { WATCHLIST_DDL, WatchlistRow } from './watchlist.entity';

export const watchlistProjection = defineProjection({
  name: 'watchlist',
  tables: ['watchlist'],
  schema: [WATCHLIST_DDL],
  handlers: {
    [Immigration.WatchlistEntryAdded.type]: async (e: EventEnvelope<Immigration.WatchlistEntryAdded>, db) => {
      const { person } = e.data;
      await db.insert(WatchlistRow, {
        entryId: e.data.entryId,
        name: person.name,
        aliases: person.aliases ?? [],
        birthDate: person.birthDate ?? null,
        nationality: person.nationality ?? null,
        passports: person.passports ?? [],
        passportKeys: (person.passports ?? []).map((p) => normalisePassport(p.number)),
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
    [Immigration.WatchlistEntryLifted.type]: async (e: EventEnvelope<Immigration.WatchlistEntryLifted>, db) => {
      await db.update(WatchlistRow, { entryId: e.data.entryId }, { status: 'lifted', liftReason: e.data.reason, updatedAt: new Date(e.time) });
    },
  },
});
