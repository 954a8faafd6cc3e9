import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AgencyRef, Passport } from '@interlink/contracts';

/** Immigration read model: victims the foreign ministry is bringing home. */
@Entity('expected_returns')
export class ExpectedReturnRow {
  @PrimaryColumn('uuid', { name: 'expectation_id' }) expectationId!: string;
  @Column('jsonb', { name: 'case_ref' }) caseRef!: AgencyRef;
  @Column('text', { nullable: true }) name!: string | null;
  /** `disclosed`, or `erased`/`redacted` when the personal columns are empty because the data is withheld. */
  @Column('text', { name: 'personal_data' }) personalData!: 'disclosed' | 'erased' | 'redacted';
  @Column('jsonb') aliases!: string[];
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('text', { nullable: true }) nationality!: string | null;
  @Column('jsonb') passports!: Passport[];
  @Column('text', { name: 'passport_keys', array: true }) passportKeys!: string[];
  @Column('date', { name: 'expected_on' }) expectedOn!: string;
  @Column('text', { nullable: true }) checkpoint!: string | null;
  @Column('text') status!: 'expected' | 'returned';
  @Column('uuid', { name: 'crossing_id', nullable: true }) crossingId!: string | null;
  @Column('timestamptz', { name: 'returned_at', nullable: true }) returnedAt!: Date | null;
  @Column('uuid', { name: 'correlation_id' }) correlationId!: string;
}

export const EXPECTED_RETURNS_DDL = `
  CREATE TABLE expected_returns (
    expectation_id uuid PRIMARY KEY,
    case_ref jsonb NOT NULL,
    name text,
    personal_data text NOT NULL DEFAULT 'disclosed',
    aliases jsonb NOT NULL,
    birth_date date,
    nationality text,
    passports jsonb NOT NULL,
    passport_keys text[] NOT NULL,
    expected_on date NOT NULL,
    checkpoint text,
    status text NOT NULL,
    crossing_id uuid,
    returned_at timestamptz,
    correlation_id uuid NOT NULL
  );
  CREATE INDEX expected_returns_open ON expected_returns (birth_date) WHERE status = 'expected'`;
