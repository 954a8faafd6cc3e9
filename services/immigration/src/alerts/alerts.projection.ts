import { EventEnvelope, Immigration } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';
import { ALERTS_DDL, AlertRow } from './alert.entity';

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
        name: d.traveller.name,
        passportNumber: d.traveller.passport.number,
        checkpoint: d.checkpoint,
        direction: d.direction,
        crossedAt: new Date(d.crossedAt),
        matchReason: d.match.reason,
        matchScore: d.match.score,
        matchExplanation: d.match.explanation,
        status: 'open',
        decidedBy: null,
        note: null,
        correlationId: e.correlationid,
      });
    },
    [Immigration.BorderAlertConfirmed.type]: async (e: EventEnvelope<Immigration.BorderAlertConfirmed>, db) => {
      await db.update(AlertRow, { alertId: e.data.alertId }, { status: 'confirmed', decidedBy: e.actor, note: e.data.note ?? null });
    },
    [Immigration.BorderAlertDismissed.type]: async (e: EventEnvelope<Immigration.BorderAlertDismissed>, db) => {
      await db.update(AlertRow, { alertId: e.data.alertId }, { status: 'dismissed', decidedBy: e.actor, note: e.data.reason });
    },
  },
});
