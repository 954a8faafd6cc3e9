import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Immigration read model: crossings at the checkpoints. */
@Entity('crossings')
export class CrossingRow {
  @PrimaryColumn('uuid', { name: 'crossing_id' }) crossingId!: string;
  @Column('text') name!: string;
  @Column('date', { name: 'birth_date' }) birthDate!: string;
  @Column('text') nationality!: string;
  @Column('text', { name: 'passport_number' }) passportNumber!: string;
  @Column('text', { name: 'passport_country' }) passportCountry!: string;
  @Column('text') direction!: string;
  @Column('text') checkpoint!: string;
  @Column('timestamptz', { name: 'crossed_at' }) crossedAt!: Date;
}

export const CROSSINGS_DDL = `
  CREATE TABLE crossings (
    crossing_id uuid PRIMARY KEY,
    name text NOT NULL,
    birth_date date NOT NULL,
    nationality text NOT NULL,
    passport_number text NOT NULL,
    passport_country text NOT NULL,
    direction text NOT NULL,
    checkpoint text NOT NULL,
    crossed_at timestamptz NOT NULL
  );
  CREATE INDEX crossings_checkpoint ON crossings (checkpoint, crossed_at)`;
