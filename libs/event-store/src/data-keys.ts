import { EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person record's personal data can no longer be recorded: its key was destroyed. */
export class ErasedRecordError extends Error {
  constructor(
    readonly owner: string,
    readonly ref: string,
  ) {
    super(`the personal data of person record ${ref} (${owner}) was erased; it cannot be recorded again`);
    this.name = 'ErasedRecordError';
  }
}

/**
 * The data keys an agency holds (`interlink.data_keys`): its own, one per person record it
 * sealed personal data for, and the keys its partners delivered for the records they shared.
 * A destroyed key is kept as a row without key, so that a late or replayed delivery of it is refused.
 */
export class DataKeys {
  /** The keys of these records of `owner`: a Buffer, null when erased; absent when never held. */
  async find(manager: EntityManager, owner: string, refs: Iterable<string>): Promise<Map<string, Buffer | null>> {
    // A ref that is not a UUID names no record (and would fail the query): it is never held.
    const wanted = [...new Set(refs)].filter((ref) => UUID.test(ref));
    if (wanted.length === 0) return new Map();
    // One probe of the key per wanted ref (OFFSET 0 keeps the lateral subquery from being
    // flattened into a join the planner may turn around). A plain `ref = ANY($2)` or join is
    // planned from the table's statistics: without them (never analysed, or just after a bulk
    // load, autovacuum off) it read every key of the owner once more than about 150 refs were
    // wanted, 35 ms instead of 1.4 ms for 250 refs among 250,000 keys.
    const rows: { ref: string; key: Buffer | null }[] = await manager.query(
      `SELECT k.ref::text, k.key FROM unnest($2::uuid[]) AS wanted(ref)
         CROSS JOIN LATERAL (SELECT d.ref, d.key FROM interlink.data_keys d WHERE d.owner = $1 AND d.ref = wanted.ref OFFSET 0) AS k`,
      [owner, wanted],
    );
    return new Map(rows.map((row) => [row.ref, row.key]));
  }

  /**
   * Stores a key a partner delivered. A record's key never changes, so one held already is kept:
   * a delivery of another key for it, or of a key of a record erased here, is refused.
   */
  async receive(manager: EntityManager, owner: string, ref: string, key: Buffer): Promise<KeyReceipt> {
    const [receipt] = await this.receiveMany(manager, owner, [{ ref, key }]);
    return receipt;
  }

  /**
   * Stores the keys a partner delivered (lower-case UUID refs), as `receive` does one by one, in
   * one statement, and one more when some were held already: the receipts come back in the order
   * of `deliveries`. A record delivered twice among them is stored once, and its later deliveries
   * are compared with that key.
   */
  async receiveMany(manager: EntityManager, owner: string, deliveries: { ref: string; key: Buffer }[]): Promise<KeyReceipt[]> {
    const first = new Map<string, Buffer>();
    for (const { ref, key } of deliveries) if (!first.has(ref)) first.set(ref, key);
    if (first.size === 0) return [];
    const refs = [...first.keys()];
    const stored: { ref: string }[] = await manager.query(
      `INSERT INTO interlink.data_keys (owner, ref, key) SELECT $1, ref, key FROM unnest($2::uuid[], $3::bytea[]) AS offered(ref, key)
       ON CONFLICT (owner, ref) DO NOTHING RETURNING ref::text`,
      [owner, refs, refs.map((ref) => first.get(ref))],
    );
    const storedNow = new Set(stored.map((row) => row.ref));
    // What was held before: the key, or null where the record was erased here.
    const earlier = refs.filter((ref) => !storedNow.has(ref));
    const held = earlier.length > 0 ? await this.find(manager, owner, earlier) : new Map<string, Buffer | null>();
    const seen = new Set<string>();
    return deliveries.map(({ ref, key }) => {
      const again = seen.has(ref);
      seen.add(ref);
      const kept = storedNow.has(ref) ? first.get(ref)! : held.get(ref);
      if (storedNow.has(ref) && !again) return 'stored';
      if (kept === null) return 'erased';
      return kept && kept.equals(key) ? 'already held' : 'another key held';
    });
  }

  /** Destroys a record's key (or records that it is erased, if it was never held). Returns when it was erased. */
  async erase(manager: EntityManager, owner: string, ref: string): Promise<{ erasedAt: Date; alreadyErased: boolean }> {
    const [before] = await manager.query(`SELECT erased_at FROM interlink.data_keys WHERE owner = $1 AND ref = $2 FOR UPDATE`, [owner, ref]);
    if (before?.erased_at) return { erasedAt: before.erased_at, alreadyErased: true };
    const [row] = await manager.query(
      `INSERT INTO interlink.data_keys (owner, ref, key, erased_at) VALUES ($1, $2, NULL, now())
       ON CONFLICT (owner, ref) DO UPDATE SET key = NULL, erased_at = now()
       RETURNING erased_at`,
      [owner, ref],
    );
    return { erasedAt: row.erased_at, alreadyErased: false };
  }
}

/**
 * The keys to seal `wanted` with, from the keys held (`null`: erased): refuses a record whose
 * personal data was erased, or whose key was not found.
 */
export function sealingKeys(owner: string, wanted: Iterable<string>, held: Map<string, Buffer | null>): Map<string, Buffer> {
  const sealing = new Map<string, Buffer>();
  for (const ref of wanted) {
    const key = held.get(ref);
    if (!key) throw new ErasedRecordError(owner, ref);
    sealing.set(ref, key);
  }
  return sealing;
}

/** What became of a delivered key: stored, the same key held already, another key held (refused), or the record erased here (refused). */
export type KeyReceipt = 'stored' | 'already held' | 'another key held' | 'erased';
