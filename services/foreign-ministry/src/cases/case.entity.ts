import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AgencyRef, Passport } from '@interlink/contracts';

/** Ministry read model: a victim case, where the victim is and how far their way home has come. */
@Entity('victim_cases')
export class VictimCaseRow {
  @PrimaryColumn('uuid', { name: 'case_id' }) caseId!: string;
  @Column('text', { nullable: true }) name!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('text', { nullable: true }) nationality!: string | null;
  @Column('jsonb') passports!: Passport[];
  /** Passport numbers as the matching library normalises them, so reconciliation can look them up by index. */
  @Column('text', { name: 'passport_numbers', array: true }) passportNumbers!: string[];
  @Column('jsonb') aliases!: string[];
  @Column('text', { name: 'reported_by' }) reportedBy!: string;
  @Column('text', { nullable: true }) reporter!: string | null;
  @Column('date', { name: 'reported_on' }) reportedOn!: string;
  /** Last known, located or rescued country, the latest wins. */
  @Column('text', { nullable: true }) country!: string | null;
  @Column('text') status!: string;
  @Column('boolean', { name: 'under_review' }) underReview!: boolean;
  @Column('text', { name: 'reclassified_as', nullable: true }) reclassifiedAs!: 'victim' | 'suspect' | null;
  @Column('date', { name: 'rescued_on', nullable: true }) rescuedOn!: string | null;
  @Column('date', { name: 'repatriation_expected_on', nullable: true }) repatriationExpectedOn!: string | null;
  @Column('date', { name: 'returned_on', nullable: true }) returnedOn!: string | null;
  @Column('jsonb', { name: 'rescue_ref', nullable: true }) rescueRef!: AgencyRef | null;
  @Column('jsonb', { name: 'flagged_suspects' }) flaggedSuspects!: AgencyRef[];
  @Column('uuid', { name: 'correlation_id' }) correlationId!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

export const VICTIM_CASES_DDL = `
  CREATE TABLE victim_cases (
    case_id uuid PRIMARY KEY,
    name text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    birth_date date,
    nationality text,
    passports jsonb NOT NULL,
    passport_numbers text[] NOT NULL DEFAULT '{}',
    aliases jsonb NOT NULL,
    reported_by text NOT NULL,
    reporter text,
    reported_on date NOT NULL,
    country text,
    status text NOT NULL,
    under_review boolean NOT NULL DEFAULT false,
    reclassified_as text CHECK (reclassified_as IN ('victim', 'suspect')),
    rescued_on date,
    repatriation_expected_on date,
    returned_on date,
    rescue_ref jsonb,
    flagged_suspects jsonb NOT NULL DEFAULT '[]',
    correlation_id uuid NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX victim_cases_status ON victim_cases (status, country);
  CREATE INDEX victim_cases_birth_date ON victim_cases (birth_date);
  CREATE INDEX victim_cases_passport_numbers ON victim_cases USING gin (passport_numbers)`;
