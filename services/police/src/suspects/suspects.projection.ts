import { EntityManager } from 'typeorm';
import { EventEnvelope, PersonDetails, PersonalDataErased, Police, PoliceDataErased, disclosed, isWithheldPart } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { SIGHTINGS_DDL, SUSPECTS_DDL, SightingRow, SuspectRow } from './suspect.entity';

const status = (status: string) => async (e: EventEnvelope<{ suspectId: string }>, db: EntityManager) => {
  await db.update(SuspectRow, { suspectId: e.data.suspectId }, { status, updatedAt: new Date(e.time) });
};

/** Suspects with their status and last known whereabouts (from immigration's border alerts). */
export const suspectsProjection = defineProjection({
  name: 'suspects',
  tables: ['suspects', 'suspect_sightings'],
  schema: [SUSPECTS_DDL, SIGHTINGS_DDL],
  // Only an identification's person is read; a sighting's match is read by its kept reason and score.
  readsPersonalData: [Police.SuspectIdentified.type],
  handlers: {
    [Police.SuspectIdentified.type]: async (e: EventEnvelope<Police.SuspectIdentified>, db) => {
      const { person } = e.data;
      const details = disclosed<PersonDetails>(person);
      await db.insert(SuspectRow, {
        suspectId: e.data.suspectId,
        syndicateId: e.data.syndicateId ?? null,
        name: details?.name ?? null,
        aliases: details?.aliases ?? [],
        nationality: person.nationality ?? null,
        birthDate: details?.birthDate ?? null,
        passports: details?.passports ?? [],
        personalData: isWithheldPart(person) ? person.withheld : 'disclosed',
        role: e.data.role,
        status: 'identified',
        sightings: 0,
        correlationId: e.correlationid,
        updatedAt: new Date(e.time),
      });
    },
    // A suspect's record was erased on a lawful request: what identifies them leaves the read model.
    [PoliceDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db: EntityManager) => {
      await db.update(SuspectRow, { suspectId: e.data.ref }, { name: null, aliases: [], birthDate: null, passports: [], personalData: 'erased', updatedAt: new Date(e.time) });
    },
    [Police.SuspectArrested.type]: status('arrested'),
    [Police.SuspectCharged.type]: status('charged'),
    [Police.SuspectConvicted.type]: status('convicted'),
    [Police.SuspectCleared.type]: status('cleared'),
    [Police.SuspectRoleChanged.type]: async (e: EventEnvelope<Police.SuspectRoleChanged>, db) => {
      await db.update(SuspectRow, { suspectId: e.data.suspectId }, { role: e.data.to, updatedAt: new Date(e.time) });
    },
    [Police.SuspectSighted.type]: async (e: EventEnvelope<Police.SuspectSighted>, db) => {
      const d = e.data;
      await db.insert(SightingRow, {
        alertId: d.alert.id,
        suspectId: d.suspectId,
        alertAgency: d.alert.agency,
        checkpoint: d.checkpoint,
        direction: d.direction,
        seenAt: new Date(d.seenAt),
        matchReason: d.match.reason,
        matchScore: d.match.score,
        withdrawn: false,
      });
      await refreshWhereabouts(db, d.suspectId, new Date(e.time));
    },
    [Police.SightingWithdrawn.type]: async (e: EventEnvelope<Police.SightingWithdrawn>, db) => {
      await db.update(SightingRow, { alertId: e.data.alert.id }, { withdrawn: true });
      await refreshWhereabouts(db, e.data.suspectId, new Date(e.time));
    },
  },
});

/** Last known whereabouts: the latest sighting that was not withdrawn. */
async function refreshWhereabouts(db: EntityManager, suspectId: string, at: Date): Promise<void> {
  const latest = await db.findOne(SightingRow, { where: { suspectId, withdrawn: false }, order: { seenAt: 'DESC' } });
  const count = await db.count(SightingRow, { where: { suspectId, withdrawn: false } });
  await db.update(SuspectRow, { suspectId }, {
    lastSeenCheckpoint: latest?.checkpoint ?? null,
    lastSeenDirection: latest?.direction ?? null,
    lastSeenAt: latest?.seenAt ?? null,
    lastSeenAlertId: latest?.alertId ?? null,
    sightings: count,
    updatedAt: at,
  });
}
