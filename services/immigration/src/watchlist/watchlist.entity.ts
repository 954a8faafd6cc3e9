import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AgencyRef, Passport } from '@interlink/contracts';

/** Immigration read model: who checkpoints look out for. */
@Entity('watchlist')
export class WatchlistRow {
  @PrimaryColumn('uuid', { name: 'entry_id' }) entryId!: string;
  @Column('text', { nullable: true }) name!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('jsonb') aliases!: string[];
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('text', { nullable: true }) nationality!: string | null;
  @Column('jsonb') passports!: Passport[];
  /** Normalised passport numbers, indexed, to find candidates for a crossing quickly. */
  @Column('text', { name: 'passport_keys', array: true }) passportKeys!: string[];
  @Column('text') reason!: string;
  @Column('text', { nullable: true }) role!: string | null;
  @Column('jsonb', { nullable: true }) suspect!: AgencyRef | null;
  @Column('text') status!: 'active' | 'lifted';
  @Column('text', { name: 'lift_reason', nullable: true }) liftReason!: string | null;
  @Column('uuid', { name: 'correlation_id' }) correlationId!: string;
  @Column('timestamptz', { name: 'added_at' }) addedAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

export const WATCHLIST_DDL = `
  CREATE TABLE watchlist (
    entry_id uuid PRIMARY KEY,
    name text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    aliases jsonb NOT NULL,
    birth_date date,
    nationality text,
    passports jsonb NOT NULL,
    passport_keys text[] NOT NULL,
    reason text NOT NULL,
    role text,
    suspect jsonb,
    status text NOT NULL,
    lift_reason text,
    correlation_id uuid NOT NULL,
    added_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX watchlist_passport_keys ON watchlist USING gin (passport_keys) WHERE status = 'active';
  CREATE INDEX watchlist_birth_date ON watchlist (birth_date) WHERE status = 'active'`;
