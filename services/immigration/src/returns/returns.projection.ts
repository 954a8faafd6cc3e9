import { EventEnvelope, Immigration, ImmigrationDataErased, PersonalDataErased } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { ERASED_PERSON_COLUMNS, personColumns } from '../person-columns';
import { EXPECTED_RETURNS_DDL, ExpectedReturnRow } from './expected-return.entity';

export const returnsProjection = defineProjection({
  name: 'expected_returns',
  tables: ['expected_returns'],
  schema: [EXPECTED_RETURNS_DDL],
  handlers: {
    [Immigration.ReturnExpected.type]: async (e: EventEnvelope<Immigration.ReturnExpected>, db) => {
      await db.insert(ExpectedReturnRow, {
        expectationId: e.data.expectationId,
        caseRef: e.data.case,
        ...personColumns(e.data.person),
        expectedOn: e.data.expectedOn,
        checkpoint: e.data.checkpoint ?? null,
        status: 'expected',
        crossingId: null,
        returnedAt: null,
        correlationId: e.correlationid,
      });
    },
    [ImmigrationDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db) => {
      await db.update(ExpectedReturnRow, { expectationId: e.data.ref }, ERASED_PERSON_COLUMNS);
    },
    [Immigration.VictimReturnRecorded.type]: async (e: EventEnvelope<Immigration.VictimReturnRecorded>, db) => {
      await db.update(ExpectedReturnRow, { expectationId: e.data.expectationId }, { status: 'returned', crossingId: e.data.crossingId, returnedAt: new Date(e.data.crossedAt) });
    },
  },
});
