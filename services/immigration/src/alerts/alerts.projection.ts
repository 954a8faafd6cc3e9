import { EventEnvelope, Immigration, ImmigrationDataErased, PersonalDataErased, Traveller, isWithheldPart } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { ALERTS_DDL, AlertRow } from './alert.entity';

function alertPerson(traveller: Traveller) {
  if (isWithheldPart(traveller)) return { name: null, passportNumber: null, personalData: traveller.withheld };
  return { name: traveller.name, passportNumber: traveller.passport.number, personalData: 'disclosed' as const };
}

export const alertsProjection = defineProjection({
  name: 'alerts',
  tables: ['alerts'],
  schema: [ALERTS_DDL],
  handlers: {
    [Immigration.BorderAlertRaised.type]: async (e: EventEnvelope<Immigration.BorderAlertRaised>, db) => {
      const d = e.data;
      await db.insert(AlertRow, {
        alertId: d.alertId,
        crossingId: d.crossingId,
        entryId: d.entryId,
        suspect: d.suspect ?? null,
        ...alertPerson(d.traveller),
        checkpoint: d.checkpoint,
        direction: d.direction,
        crossedAt: new Date(d.crossedAt),
        matchReason: d.match.reason,
        matchScore: d.match.score,
        matchExplanation: isWithheldPart(d.match) ? null : d.match.explanation,
        status: 'open',
        decidedBy: null,
        note: null,
        correlationId: e.correlationid,
      });
    },
    [Immigration.BorderAlertConfirmed.type]: async (e: EventEnvelope<Immigration.BorderAlertConfirmed>, db) => {
      await db.update(AlertRow, { alertId: e.data.alertId }, { status: 'confirmed', decidedBy: e.actor, note: e.data.note ?? null });
    },
    // The alert's traveller is sealed under their crossing's key: erasing the crossing erases it here.
    [ImmigrationDataErased.type]: async (e: EventEnvelope<PersonalDataErased>, db) => {
      await db.update(AlertRow, { crossingId: e.data.ref }, { name: null, passportNumber: null, matchExplanation: null, personalData: 'erased' });
    },
    [Immigration.BorderAlertDismissed.type]: async (e: EventEnvelope<Immigration.BorderAlertDismissed>, db) => {
      await db.update(AlertRow, { alertId: e.data.alertId }, { status: 'dismissed', decidedBy: e.actor, note: e.data.reason });
    },
  },
});
