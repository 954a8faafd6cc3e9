import { EntityManager } from 'typeorm';
import { EventEnvelope, ForeignMinistry, ForeignMinistryDataErased, PersonDetails, PersonalDataErased, disclosed, isWithheldPart } from '@interlink/contracts';
import { normalisePassport } from '@interlink/matching';
import { defineProjection } from '@interlink/projections';
import { VICTIM_CASES_DDL, VictimCaseRow } from './case.entity';

async function update(e: EventEnvelope<{ caseId: string }>, db: EntityManager, changes: Partial<VictimCaseRow>): Promise<void> {
  await db.update(VictimCaseRow, { caseId: e.data.caseId }, { ...changes, updatedAt: new Date(e.time) });
}

/** Victim cases with where each victim is and how far their way home has come; the public statistics count over it. */
export const casesProjection = defineProjection({
  name: 'victim_cases',
  tables: ['victim_cases'],
  schema: [VICTIM_CASES_DDL],
  // Only a report's person is read; a rescue's match and an arrangement's person are not.
  readsPersonalData: [ForeignMinistry.VictimReported.type],
  handlers: {
    [ForeignMinistry.VictimReported.type]: async (e: EventEnvelope<ForeignMinistry.VictimReported>, db) => {
      const { person } = e.data;
      const details = disclosed<PersonDetails>(person);
      await db.insert(VictimCaseRow, {
        caseId: e.data.caseId,
        name: details?.name ?? null,
        birthDate: details?.birthDate ?? null,
        nationality: person.nationality ?? null,
        passports: details?.passports ?? [],
        passportNumbers: (details?.passports ?? []).map((p) => normalisePassport(p.number)),
        aliases: details?.aliases ?? [],
        personalData: isWithheldPart(person) ? person.withheld : 'disclosed',
        reportedBy: e.data.reportedBy,
        reporter: e.data.reporter ?? null,
        reportedOn: e.data.reportedOn,
        country: e.data.lastKnownCountry ?? null,
        status: 'reported',
        underReview: false,
        reclassifiedAs: null,
        rescuedOn: null,
        repatriationExpectedOn: null,
        returnedOn: null,
        rescueRef: null,
        flaggedSuspects: [],
        correlationId: e.correlationid,
        updatedAt: new Date(e.time),
      });
    },
    // The victim's case record was erased on a lawful request: what identifies them leaves the read model.
    [ForeignMinistryDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db) => {
      await db.update(VictimCaseRow, { caseId: e.data.ref }, { name: null, birthDate: null, passports: [], passportNumbers: [], aliases: [], personalData: 'erased', updatedAt: new Date(e.time) });
    },
    [ForeignMinistry.VictimLocated.type]: (e: EventEnvelope<ForeignMinistry.VictimLocated>, db) => update(e, db, { status: 'located', country: e.data.country }),
    [ForeignMinistry.VictimRescued.type]: async (e: EventEnvelope<ForeignMinistry.VictimRescued>, db) => {
      const row = await db.findOneByOrFail(VictimCaseRow, { caseId: e.data.caseId });
      // As in the decider: a rescue after the repatriation was arranged must not hide the arrangement.
      await update(e, db, {
        status: row.status === 'repatriation-arranged' ? row.status : 'rescued',
        country: e.data.country,
        rescuedOn: e.data.rescuedOn,
        rescueRef: e.data.rescue ?? null,
      });
    },
    [ForeignMinistry.RepatriationArranged.type]: (e: EventEnvelope<ForeignMinistry.RepatriationArranged>, db) =>
      update(e, db, { status: 'repatriation-arranged', repatriationExpectedOn: e.data.expectedOn }),
    [ForeignMinistry.VictimRepatriated.type]: (e: EventEnvelope<ForeignMinistry.VictimRepatriated>, db) => update(e, db, { status: 'repatriated', returnedOn: e.data.returnedOn }),
    [ForeignMinistry.CaseClosed.type]: (e: EventEnvelope<ForeignMinistry.CaseClosed>, db) => update(e, db, { status: 'closed' }),
    [ForeignMinistry.CaseFlaggedForReview.type]: async (e: EventEnvelope<ForeignMinistry.CaseFlaggedForReview>, db) => {
      const row = await db.findOneByOrFail(VictimCaseRow, { caseId: e.data.caseId });
      await update(e, db, { underReview: true, flaggedSuspects: [...row.flaggedSuspects, e.data.suspect] });
    },
    [ForeignMinistry.CaseReclassified.type]: (e: EventEnvelope<ForeignMinistry.CaseReclassified>, db) => update(e, db, { underReview: false, reclassifiedAs: e.data.outcome }),
  },
});
