import { EntityManager } from 'typeorm';
import { MatchInfo, Passport, TravellerDetails } from '@interlink/contracts';
import { PersonRecord, matchPersons } from '@interlink/matching';
import { ExpectedReturnRow } from '../returns/expected-return.entity';
import { WatchlistRow } from '../watchlist/watchlist.entity';

const asRecord = (row: { name: string | null; aliases: string[]; birthDate: string | null; nationality: string | null; passports: Passport[] }): PersonRecord => ({
  name: row.name ?? '',
  aliases: row.aliases,
  birthDate: row.birthDate ?? undefined,
  nationality: row.nationality ?? undefined,
  passports: row.passports,
});

export type TravellerRecord = PersonRecord & { birthDate: string };

export function travellerRecord(traveller: TravellerDetails): TravellerRecord {
  return { name: traveller.name, birthDate: traveller.birthDate, nationality: traveller.nationality, passports: [traveller.passport] };
}

/**
 * Active watchlist entries that match a traveller. Only entries that could match are compared:
 * those sharing the normalised passport number, or the birth date (a name match needs it).
 */
export async function watchlistHits(db: EntityManager, traveller: TravellerRecord, passportKey: string): Promise<{ entry: WatchlistRow; match: MatchInfo }[]> {
  const candidates = await db
    .createQueryBuilder(WatchlistRow, 'w')
    .where(`w.status = 'active'`)
    .andWhere('(w.passport_keys && ARRAY[:key]::text[] OR w.birth_date = :birthDate)', { key: passportKey, birthDate: traveller.birthDate })
    .orderBy('w.added_at')
    .getMany();
  return candidates.flatMap((entry) => {
    if (entry.name === null) return [];
    const match = matchPersons(traveller, asRecord(entry));
    return match ? [{ entry, match }] : [];
  });
}

/** The expected return (if any) that an arriving traveller fulfils: the best match. */
export async function expectedReturnHit(db: EntityManager, traveller: TravellerRecord, passportKey: string): Promise<{ expectation: ExpectedReturnRow; match: MatchInfo } | undefined> {
  const candidates = await db
    .createQueryBuilder(ExpectedReturnRow, 'r')
    .where(`r.status = 'expected'`)
    .andWhere('(r.passport_keys && ARRAY[:key]::text[] OR r.birth_date = :birthDate)', { key: passportKey, birthDate: traveller.birthDate })
    .getMany();
  let best: { expectation: ExpectedReturnRow; match: MatchInfo } | undefined;
  for (const expectation of candidates) {
    if (expectation.name === null) continue;
    const match = matchPersons(traveller, asRecord(expectation));
    if (match && (!best || match.score > best.match.score)) best = { expectation, match };
  }
  return best;
}
