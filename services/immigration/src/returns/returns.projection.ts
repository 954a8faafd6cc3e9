import { EventEnvelope, Immigration } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';
import { defineProjection } from '@interlink/projections';
import { EXPECTED_RETURNS_DDL, ExpectedReturnRow } from './expected-return.entity';

export const returnsProjection = defineProjection({
  name: 'expected_returns',
  tables: ['expected_returns'],
  schema: [EXPECTED_RETURNS_DDL],
  handlers: {
    [Immigration.ReturnExpected.type]: async (e: EventEnvelope<Immigration.ReturnExpected>, db) => {
      const { person } = e.data;
      await db.insert(ExpectedReturnRow, {
        expectationId: e.data.expectationId,
        caseRef: e.data.case,
        name: person.name,
        aliases: person.aliases ?? [],
        birthDate: person.birthDate ?? null,
        nationality: person.nationality ?? null,
        passports: person.passports ?? [],
        passportKeys: (person.passports ?? []).map((p) => normalisePassport(p.number)),
        expectedOn: e.data.expectedOn,
        checkpoint: e.data.checkpoint ?? null,
        status: 'expected',
        crossingId: null,
        returnedAt: null,
        correlationId: e.correlationid,
      });
    },
    [Immigration.VictimReturnRecorded.type]: async (e: EventEnvelope<Immigration.VictimReturnRecorded>, db) => {
      await db.update(ExpectedReturnRow, { expectationId: e.data.expectationId }, { status: 'returned', crossingId: e.data.crossingId, returnedAt: new Date(e.data.crossedAt) });
    },
  },
});
