// Logs with each kind of event of each agency, for the tests that build the agencies' read models
// from them, and the helpers those tests compare the tables with. Personal data comes unsealed, redacted or erased, as a reader may see it.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventEnvelope, ForeignMinistry, ForeignMinistryDataErased, Immigration, ImmigrationDataErased, Police, PoliceDataErased } from '@interlink/contracts';
import { FOREIGN_MINISTRY_READ_MODEL } from '@interlink/foreign-ministry/read-model';
import { IMMIGRATION_READ_MODEL } from '@interlink/immigration/read-model';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { Projection } from '@interlink/projections';
import { envelopeFrom } from '@interlink/testing';

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const WITHHELD = (reason: 'erased' | 'redacted') => ({ withheld: reason, ref: randomUUID(), digest: `sha256:${'0'.repeat(64)}` });

/** Event type and payload, in log order; times increase by a minute per event. */
export class Log {
  readonly events: EventEnvelope[] = [];
  private clock = Date.UTC(2026, 10, 1);
  readonly random = prng(7);
  constructor(private readonly agency: string) {}

  add(type: string, data: unknown): void {
    const envelope = envelopeFrom(this.agency, `s-${this.events.length}`, 1, { type, data });
    this.events.push({ ...envelope, time: new Date((this.clock += 60_000)).toISOString() });
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  person(i: number) {
    if (i % 7 === 3) return { ...WITHHELD('redacted'), nationality: 'MY' };
    return { name: `Person ${i}`, aliases: [`P. ${i}`], birthDate: `19${70 + (i % 29)}-0${1 + (i % 9)}-1${i % 10}`, nationality: this.pick(['MY', 'ID', 'PH']), passports: [{ number: `A ${1000 + i}-x`, country: 'MY' }] };
  }
  match(i: number) {
    return i % 5 === 0 ? { ...WITHHELD('erased'), reason: 'passport' as const, score: 0.9 } : { reason: 'name-and-birth-date' as const, score: 0.73 + i / 1000, explanation: `match ${i}` };
  }
}

export function policeLog(): EventEnvelope[] {
  const log = new Log('police');
  const syndicates = [randomUUID(), randomUUID()];
  for (const [i, syndicateId] of syndicates.entries()) {
    log.add(Police.SyndicateIdentified.type, { syndicateId, name: `Ring ${i}`, scamTypes: ['bank-impersonation'], countries: ['KH', 'MM'], places: [`Compound ${i}`] });
  }
  const suspects = Array.from({ length: 24 }, () => randomUUID());
  const alerts: [string, string][] = [];
  suspects.forEach((suspectId, i) =>
    log.add(Police.SuspectIdentified.type, { suspectId, person: log.person(i), role: log.pick(['recruiter', 'operator', 'money-mule']), ...(i % 3 ? { syndicateId: log.pick(syndicates) } : {}) }),
  );
  for (let n = 0; n < 60; n++) {
    const suspectId = log.pick(suspects);
    const alert = { agency: 'immigration', id: randomUUID() };
    alerts.push([suspectId, alert.id]);
    // Distinct seenAt per sighting: the latest decides the whereabouts, and Postgres breaks ties arbitrarily.
    const seenAt = new Date(Date.UTC(2026, 9, 1) + n * 3_600_000 * (n % 2 ? 1 : -1)).toISOString();
    log.add(Police.SuspectSighted.type, { suspectId, checkpoint: log.pick(['KLIA', 'Padang Besar']), direction: log.pick(['inbound', 'outbound']), seenAt, match: log.match(n), alert });
    if (n % 4 === 1) {
      const [withdrawnSuspect, alertId] = log.pick(alerts);
      log.add(Police.SightingWithdrawn.type, { suspectId: withdrawnSuspect, alert: { agency: 'immigration', id: alertId }, reason: 'wrong person' });
    }
  }
  suspects.forEach((suspectId, i) => {
    if (i % 2 === 0) log.add(Police.SuspectArrested.type, { suspectId, arrestedOn: '2026-11-02', place: 'KL', country: 'MY' });
    if (i % 4 === 0) log.add(Police.SuspectCharged.type, { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2026-11-03' });
    if (i % 8 === 0) log.add(Police.SuspectConvicted.type, { suspectId, convictedOn: '2026-11-20', sentence: '8 years' });
    if (i % 5 === 1) log.add(Police.SuspectCleared.type, { suspectId, clearedOn: '2026-11-04', reason: 'alibi' });
    if (i % 3 === 2) log.add(Police.SuspectRoleChanged.type, { suspectId, from: 'recruiter', to: 'ringleader', reason: 'new evidence' });
    if (i % 6 === 5) log.add(PoliceDataErased.type, { ref: suspectId, reason: 'GDPR art. 17 request' });
  });
  const raids = [randomUUID(), randomUUID(), randomUUID()];
  raids.forEach((raidId, i) => log.add(Police.RaidConducted.type, { raidId, place: `Compound ${i}`, country: 'KH', conductedOn: '2026-11-05', ...(i ? { city: 'Sihanoukville', partnerAgency: 'kh-police', syndicateId: syndicates[0] } : {}) }));
  for (let r = 0; r < 6; r++) {
    const persons = Array.from({ length: 1 + (r % 3) }, (_, p) =>
      p === 1 ? { ...WITHHELD('redacted'), personId: randomUUID(), nationality: 'ID' } : { personId: randomUUID(), name: `Victim ${r}.${p}`, nationality: log.pick(['MY', 'PH', 'VN']) },
    );
    log.add(Police.VictimsRescued.type, { rescueId: randomUUID(), raidId: raids[r % 3], place: 'Compound', country: 'KH', rescuedOn: '2026-11-05', persons });
  }
  return log.events;
}

function immigrationLog(): EventEnvelope[] {
  const log = new Log('immigration');
  const entries = Array.from({ length: 16 }, () => randomUUID());
  entries.forEach((entryId, i) =>
    log.add(Immigration.WatchlistEntryAdded.type, { entryId, person: log.person(i), reason: 'suspect', ...(i % 2 ? { role: 'operator', suspect: { agency: 'police', id: randomUUID() } } : {}) }),
  );
  entries.forEach((entryId, i) => {
    if (i % 3 === 0) log.add(Immigration.WatchlistEntryAmended.type, { entryId, role: 'ringleader', reason: 'police says so' });
    if (i % 4 === 1) log.add(Immigration.WatchlistEntryLifted.type, { entryId, reason: 'cleared' });
    if (i % 5 === 2) log.add(Immigration.WatchlistEntryWithdrawn.type, { entryId, reason: 'access withdrawn' });
    if (i % 6 === 4) log.add(ImmigrationDataErased.type, { ref: entryId, reason: 'erasure' });
  });
  const crossings = Array.from({ length: 20 }, () => randomUUID());
  const alerts: string[] = [];
  crossings.forEach((crossingId, i) => {
    const traveller =
      i % 6 === 5 ? { ...WITHHELD('redacted'), nationality: 'PH' } : { name: `Traveller ${i}`, birthDate: '1988-04-0' + (1 + (i % 9)), nationality: 'MY', passport: { number: `B${1000 + i}`, country: 'MY' } };
    const crossedAt = new Date(Date.UTC(2026, 10, 2, i)).toISOString();
    log.add(Immigration.BorderCrossingRecorded.type, { crossingId, traveller, direction: log.pick(['inbound', 'outbound']), checkpoint: 'KLIA', crossedAt });
    if (i % 2 === 0) {
      const alertId = randomUUID();
      alerts.push(alertId);
      log.add(Immigration.BorderAlertRaised.type, {
        alertId,
        crossingId,
        entryId: log.pick(entries),
        ...(i % 4 ? { suspect: { agency: 'police', id: randomUUID() } } : {}),
        traveller,
        direction: 'inbound',
        checkpoint: 'KLIA',
        crossedAt,
        match: log.match(i),
      });
    }
  });
  alerts.forEach((alertId, i) => {
    if (i % 3 === 0) log.add(Immigration.BorderAlertConfirmed.type, { alertId, note: i % 2 ? 'seen' : undefined });
    if (i % 3 === 1) log.add(Immigration.BorderAlertDismissed.type, { alertId, reason: 'not them' });
  });
  crossings.forEach((crossingId, i) => i % 4 === 2 && log.add(ImmigrationDataErased.type, { ref: crossingId, reason: 'erasure' }));
  const expectations = Array.from({ length: 6 }, () => randomUUID());
  expectations.forEach((expectationId, i) =>
    log.add(Immigration.ReturnExpected.type, { expectationId, case: { agency: 'foreign-ministry', id: randomUUID() }, person: log.person(i), expectedOn: '2026-12-01', ...(i % 2 ? { checkpoint: 'KLIA' } : {}) }),
  );
  expectations.forEach((expectationId, i) => {
    if (i % 2 === 0) {
      log.add(Immigration.VictimReturnRecorded.type, {
        expectationId,
        crossingId: crossings[i],
        case: { agency: 'foreign-ministry', id: randomUUID() },
        traveller: { name: 'T', birthDate: '1990-01-01', nationality: 'MY', passport: { number: 'C1234', country: 'MY' } },
        checkpoint: 'KLIA',
        crossedAt: new Date(Date.UTC(2026, 11, 1, i)).toISOString(),
        match: log.match(i + 1),
      });
    }
    if (i % 3 === 2) log.add(ImmigrationDataErased.type, { ref: expectationId, reason: 'erasure' });
  });
  return log.events;
}

function foreignMinistryLog(): EventEnvelope[] {
  const log = new Log('foreign-ministry');
  const cases = Array.from({ length: 12 }, () => randomUUID());
  cases.forEach((caseId, i) =>
    log.add(ForeignMinistry.VictimReported.type, { caseId, person: log.person(i), reportedBy: log.pick(['relative', 'ngo', 'embassy']), reportedOn: '2026-10-01', ...(i % 2 ? { reporter: 'Mother', lastKnownCountry: 'KH' } : {}) }),
  );
  cases.forEach((caseId, i) => {
    const rescue = () => log.add(ForeignMinistry.VictimRescued.type, { caseId, country: 'KH', rescuedOn: '2026-11-05', ...(i % 2 ? { rescue: { agency: 'police', id: randomUUID() } } : {}) });
    if (i % 6 !== 5) log.add(ForeignMinistry.VictimLocated.type, { caseId, country: 'MM', locatedOn: '2026-10-20' });
    if (i % 3 === 0) log.add(ForeignMinistry.CaseFlaggedForReview.type, { caseId, suspect: { agency: 'police', id: randomUUID() }, role: 'recruiter', match: log.match(i) });
    if (i % 3 === 0 && i % 2 === 0) log.add(ForeignMinistry.CaseFlaggedForReview.type, { caseId, suspect: { agency: 'police', id: randomUUID() }, role: 'operator', match: log.match(i + 1) });
    if (i % 6 === 3) log.add(ForeignMinistry.CaseReclassified.type, { caseId, outcome: 'victim', note: 'coerced' });
    // Rescued before the repatriation is arranged, or after: the arrangement must not be hidden.
    if (i % 4 === 0) rescue();
    if (i % 2 === 0) log.add(ForeignMinistry.RepatriationArranged.type, { caseId, person: log.person(i), expectedOn: '2026-12-01', checkpoint: 'KLIA' });
    if (i % 4 === 2) rescue();
    if (i % 4 === 0) log.add(ForeignMinistry.VictimRepatriated.type, { caseId, returnedOn: '2026-12-01', checkpoint: 'KLIA', crossing: { agency: 'immigration', id: randomUUID() } });
    if (i % 8 === 0) log.add(ForeignMinistry.CaseClosed.type, { caseId, reason: 'home' });
    if (i % 5 === 4) log.add(ForeignMinistryDataErased.type, { ref: caseId, reason: 'erasure' });
  });
  return log.events;
}

export const AGENCIES: [string, Projection[], () => EventEnvelope[]][] = [
  ['police', POLICE_READ_MODEL.projections, policeLog],
  ['immigration', IMMIGRATION_READ_MODEL.projections, immigrationLog],
  ['foreign-ministry', FOREIGN_MINISTRY_READ_MODEL.projections, foreignMinistryLog],
];

/** Each table's rows in `schema` as JSON text, in order: two read models compare equal when these do. */
export async function tablesIn(dataSource: DataSource, schema: string, tables: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows: { row: string }[] = await dataSource.query(`SELECT to_jsonb(t)::text AS row FROM "${schema}"."${table}" t ORDER BY 1`);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

/** A fresh schema holding the projections' tables. */
export async function createSchema(dataSource: DataSource, schema: string, projections: Projection[]): Promise<void> {
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.transaction(async (m) => {
    await m.query(`SET LOCAL search_path TO "${schema}"`);
    for (const p of projections) for (const ddl of p.schema) await m.query(ddl);
  });
}
