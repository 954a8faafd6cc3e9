import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Police read model: a syndicate; its members are the suspects that name it. */
@Entity('syndicates')
export class SyndicateRow {
  @PrimaryColumn('uuid', { name: 'syndicate_id' }) syndicateId!: string;
  @Column('text') name!: string;
  @Column('jsonb', { name: 'scam_types' }) scamTypes!: string[];
  @Column('jsonb') countries!: string[];
  @Column('jsonb') places!: string[];
  @Column('timestamptz', { name: 'identified_at' }) identifiedAt!: Date;
}

export const SYNDICATES_DDL = `
  CREATE TABLE syndicates (
    syndicate_id uuid PRIMARY KEY,
    name text NOT NULL,
    scam_types jsonb NOT NULL,
    countries jsonb NOT NULL,
    places jsonb NOT NULL,
    identified_at timestamptz NOT NULL
  )`;
