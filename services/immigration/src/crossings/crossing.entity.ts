import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Immigration read model: crossings at the checkpoints. */
@Entity('crossings')
export class CrossingRow {
  @PrimaryColumn('uuid', { name: 'crossing_id' }) crossingId!: string;
  @Column('text', { nullable: true }) name!: string | null;
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('text') nationality!: string;
  @Column('text', { name: 'passport_number', nullable: true }) passportNumber!: string | null;
  @Column('text', { name: 'passport_country', nullable: true }) passportCountry!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('text') direction!: string;
  @Column('text') checkpoint!: string;
  @Column('timestamptz', { name: 'crossed_at' }) crossedAt!: Date;
}

export const CROSSINGS_DDL = `
  CREATE TABLE crossings (
    crossing_id uuid PRIMARY KEY,
    name text,
    birth_date date,
    nationality text NOT NULL,
    passport_number text,
    passport_country text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    direction text NOT NULL,
    checkpoint text NOT NULL,
    crossed_at timestamptz NOT NULL
  );
  CREATE INDEX crossings_checkpoint ON crossings (checkpoint, crossed_at)`;
