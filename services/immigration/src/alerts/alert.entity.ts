import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AgencyRef } from '@interlink/contracts';

/** Immigration read model: border alerts and what officers decided. */
@Entity('alerts')
export class AlertRow {
  @PrimaryColumn('uuid', { name: 'alert_id' }) alertId!: string;
  @Column('uuid', { name: 'crossing_id' }) crossingId!: string;
  @Column('uuid', { name: 'entry_id' }) entryId!: string;
  @Column('jsonb', { nullable: true }) suspect!: AgencyRef | null;
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text', { name: 'passport_number', nullable: true }) passportNumber!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('text') checkpoint!: string;
  @Column('text') direction!: string;
  @Column('timestamptz', { name: 'crossed_at' }) crossedAt!: Date;
  @Column('text', { name: 'match_reason' }) matchReason!: string;
  @Column('real', { name: 'match_score' }) matchScore!: number;
  @Column('text', { name: 'match_explanation', nullable: true }) matchExplanation!: string | null;
  @Column('text') status!: 'open' | 'confirmed' | 'dismissed';
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy!: string | null;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { name: 'correlation_id' }) correlationId!: string;
}

export const ALERTS_DDL = `
  CREATE TABLE alerts (
    alert_id uuid PRIMARY KEY,
    crossing_id uuid NOT NULL,
    entry_id uuid NOT NULL,
    suspect jsonb,
    name text,
    passport_number text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    checkpoint text NOT NULL,
    direction text NOT NULL,
    crossed_at timestamptz NOT NULL,
    match_reason text NOT NULL,
    match_score real NOT NULL,
    match_explanation text,
    status text NOT NULL,
    decided_by text,
    note text,
    correlation_id uuid NOT NULL
  );
  CREATE INDEX alerts_status ON alerts (status, crossed_at)`;
