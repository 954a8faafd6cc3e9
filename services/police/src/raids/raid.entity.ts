import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Police read model: a raid and how many people were rescued in it. */
@Entity('raids')
export class RaidRow {
  @PrimaryColumn('uuid', { name: 'raid_id' }) raidId!: string;
  @Column('text') place!: string;
  @Column('text', { nullable: true }) city!: string | null;
  @Column('text') country!: string;
  @Column('date', { name: 'conducted_on' }) conductedOn!: string;
  @Column('text', { name: 'partner_agency', nullable: true }) partnerAgency!: string | null;
  @Column('uuid', { name: 'syndicate_id', nullable: true }) syndicateId!: string | null;
  @Column('int', { name: 'rescued_count' }) rescuedCount!: number;
  @Column('jsonb', { name: 'rescued_by_nationality' }) rescuedByNationality!: Record<string, number>;
}

export const RAIDS_DDL = `
  CREATE TABLE raids (
    raid_id uuid PRIMARY KEY,
    place text NOT NULL,
    city text,
    country text NOT NULL,
    conducted_on date NOT NULL,
    partner_agency text,
    syndicate_id uuid,
    rescued_count integer NOT NULL DEFAULT 0,
    rescued_by_nationality jsonb NOT NULL DEFAULT '{}'
  )`;
