import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Passport } from '@interlink/contracts';

/** Police read model: a suspect, where they stand and where they were last seen. */
@Entity('suspects')
export class SuspectRow {
  @PrimaryColumn('uuid', { name: 'suspect_id' }) suspectId!: string;
  @Column('uuid', { name: 'syndicate_id', nullable: true }) syndicateId!: string | null;
  @Column('text', { nullable: true }) name!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('jsonb') aliases!: string[];
  @Column('text', { nullable: true }) nationality!: string | null;
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('jsonb') passports!: Passport[];
  @Column('text') role!: string;
  @Column('text') status!: string;
  @Column('text', { name: 'last_seen_checkpoint', nullable: true }) lastSeenCheckpoint!: string | null;
  @Column('text', { name: 'last_seen_direction', nullable: true }) lastSeenDirection!: string | null;
  @Column('timestamptz', { name: 'last_seen_at', nullable: true }) lastSeenAt!: Date | null;
  @Column('uuid', { name: 'last_seen_alert_id', nullable: true }) lastSeenAlertId!: string | null;
  @Column('int') sightings!: number;
  @Column('uuid', { name: 'correlation_id' }) correlationId!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

export const SUSPECTS_DDL = `
  CREATE TABLE suspects (
    suspect_id uuid PRIMARY KEY,
    syndicate_id uuid,
    name text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    aliases jsonb NOT NULL,
    nationality text,
    birth_date date,
    passports jsonb NOT NULL,
    role text NOT NULL,
    status text NOT NULL,
    last_seen_checkpoint text,
    last_seen_direction text,
    last_seen_at timestamptz,
    last_seen_alert_id uuid,
    sightings integer NOT NULL DEFAULT 0,
    correlation_id uuid NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX suspects_syndicate ON suspects (syndicate_id);
  CREATE INDEX suspects_status ON suspects (status)`;

/** Every sighting immigration reported, for the suspect's whereabouts history. */
@Entity('suspect_sightings')
export class SightingRow {
  @PrimaryColumn('uuid', { name: 'alert_id' }) alertId!: string;
  @Column('uuid', { name: 'suspect_id' }) suspectId!: string;
  @Column('text', { name: 'alert_agency' }) alertAgency!: string;
  @Column('text') checkpoint!: string;
  @Column('text') direction!: string;
  @Column('timestamptz', { name: 'seen_at' }) seenAt!: Date;
  @Column('text', { name: 'match_reason' }) matchReason!: string;
  @Column('real', { name: 'match_score' }) matchScore!: number;
  @Column('boolean') withdrawn!: boolean;
}

export const SIGHTINGS_DDL = `
  CREATE TABLE suspect_sightings (
    alert_id uuid PRIMARY KEY,
    suspect_id uuid NOT NULL,
    alert_agency text NOT NULL,
    checkpoint text NOT NULL,
    direction text NOT NULL,
    seen_at timestamptz NOT NULL,
    match_reason text NOT NULL,
    match_score real NOT NULL,
    withdrawn boolean NOT NULL DEFAULT false
  );
  CREATE INDEX suspect_sightings_suspect ON suspect_sightings (suspect_id, seen_at)`;
