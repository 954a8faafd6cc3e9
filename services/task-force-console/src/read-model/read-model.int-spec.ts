import { EventEnvelope, agencySource, dataschemaFor, interlinkRegistry, uuidv7 } from '@interlink/contracts';
import { migrate } from '@interlink/event-store';
import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { ConsoleConfig } from '../config';
import { DashboardService } from '../dashboard/dashboard.service';
import { DossierService } from '../dossier/dossier.service';
import { FeedService } from '../feed/feed.service';
import { consoleDatabaseMigrations } from './database';
import { ConsoleProjector } from './projector';

const SENDERS: ConsoleConfig['senders'] = [
  { agencyId: 'police', role: 'police' },
  { agencyId: 'immigration', role: 'immigration' },
  { agencyId: 'foreign-ministry', role: 'foreign-ministry' },
];
const registry = interlinkRegistry();

function envelope(agency: string, subject: string, type: string, data: unknown, time = new Date().toISOString()): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: agencySource(agency),
    type,
    dataschema: dataschemaFor(type, 1),
    subject,
    time,
    datacontenttype: 'application/json',
    data,
    streamversion: 1,
    correlationid: uuidv7(),
    causationid: uuidv7(),
    actor: `${agency}/officer`,
    classification: 'AMBER',
    handling: '',
    releasableto: 'task-force',
  };
}

/** The read model's projections on a real Postgres database, fed envelopes directly (no Kafka). */
describe('task-force console read model (real Postgres)', () => {
  let db: TestDatabase;
  let projector: ConsoleProjector;
  let feed: FeedService;
  let dashboards: DashboardService;
  let dossiers: DossierService;
  const record = (e: EventEnvelope) => db.dataSource.transaction((m) => projector.record(e, m));

  beforeAll(async () => {
    db = await createTestDatabase('console_read_model');
    await migrate(db.dataSource, consoleDatabaseMigrations);
    projector = new ConsoleProjector({ agencyId: 'task-force', senders: SENDERS }, registry, 'task-force-console');
    feed = new FeedService(db.dataSource);
    dashboards = new DashboardService(db.dataSource, undefined as never, { agencyId: 'task-force', senders: SENDERS } as ConsoleConfig);
    dossiers = new DossierService(db.dataSource);
  });
  afterAll(() => db?.drop());

  it('records an event once, numbered in the order recorded', async () => {
    const raidId = uuidv7();
    const e = envelope('police', `raid-${raidId}`, 'intel.police.raid-conducted', { raidId, place: 'Compound', country: 'KH', conductedOn: '2024-01-10' });
    const first = await record(e);
    expect(await record(e)).toBeUndefined();
    const next = await record(envelope('police', `raid-${raidId}`, 'intel.police.raid-conducted', { raidId, place: 'Compound B', country: 'KH', conductedOn: '2024-01-11' }));
    expect(next).toBe(first! + 1);
    const page = await feed.page({}, undefined, 10);
    expect(page.items.map((i) => i.seq)).toEqual([next, first]);
    expect(page.items[1].sentence).toBe('Police: raid at Compound, Cambodia');
  });

  it("counts a victim case the task force learns of late, and keeps the ministry's order of a rescue after the arrangement", async () => {
    const late = uuidv7();
    await record(envelope('foreign-ministry', `case-${late}`, 'intel.foreign-ministry.victim-repatriated', { caseId: late, returnedOn: '2024-02-03', checkpoint: 'KLIA', crossing: { agency: 'immigration', id: uuidv7() } }, '2024-02-03T10:00:00Z'));
    const arranged = uuidv7();
    await record(envelope('foreign-ministry', `case-${arranged}`, 'intel.foreign-ministry.victim-reported', { caseId: arranged, person: { withheld: 'redacted', ref: arranged, digest: `sha256:${'d'.repeat(64)}`, nationality: 'MY' }, reportedBy: 'ngo', lastKnownCountry: 'MM', reportedOn: '2024-01-05' }));
    await record(envelope('foreign-ministry', `case-${arranged}`, 'intel.foreign-ministry.repatriation-arranged', { caseId: arranged, person: { withheld: 'redacted', ref: arranged, digest: `sha256:${'d'.repeat(64)}` }, expectedOn: '2024-02-10' }));
    await record(envelope('foreign-ministry', `case-${arranged}`, 'intel.foreign-ministry.victim-rescued', { caseId: arranged, country: 'TH', rescuedOn: '2024-01-20' }));
    const victims = await dashboards.victims();
    expect(victims.totals).toEqual({ rescued: 2, repatriated: 1, stillTracked: 1 });
    expect(victims.byCountry).toEqual([
      { country: 'TH', rescued: 1, repatriated: 0, stillTracked: 1 },
      { country: 'unknown', rescued: 1, repatriated: 1, stillTracked: 0 },
    ]);
    const [row] = await db.dataSource.query(`SELECT status, country FROM console.victim_cases WHERE case_id = $1`, [arranged]);
    expect(row).toEqual({ status: 'repatriation-arranged', country: 'TH' });
  });

  it('keeps where a suspect was last seen, and forgets a withdrawn sighting', async () => {
    const suspectId = uuidv7();
    const stream = `suspect-${suspectId}`;
    const seen = (alertId: string, checkpoint: string, seenAt: string) =>
      envelope('police', stream, 'intel.police.suspect-sighted', {
        suspectId,
        checkpoint,
        direction: 'outbound',
        seenAt,
        match: { reason: 'passport', score: 1, explanation: 'same passport' },
        alert: { agency: 'immigration', id: alertId },
      });
    const [a1, a2] = [uuidv7(), uuidv7()];
    await record(envelope('police', stream, 'intel.police.suspect-identified', { suspectId, role: 'sponsor', person: { withheld: 'redacted', ref: suspectId, digest: `sha256:${'e'.repeat(64)}` } }));
    await record(seen(a1, 'KLIA', '2024-03-01T08:00:00Z'));
    await record(seen(a2, 'Bukit Kayu Hitam', '2024-03-05T08:00:00Z'));
    const whereabouts = async () => (await dossiers.dossier(`suspect:police:${suspectId}`)).root.details;
    expect(await whereabouts()).toMatchObject({ sightings: 2, lastSeenCheckpoint: 'Bukit Kayu Hitam' });
    await record(envelope('police', stream, 'intel.police.sighting-withdrawn', { suspectId, alert: { agency: 'immigration', id: a2 }, reason: 'namesake' }));
    expect(await whereabouts()).toMatchObject({ sightings: 1, lastSeenCheckpoint: 'KLIA' });
    await record(envelope('police', stream, 'intel.police.suspect-charged', { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2024-03-10' }));
    expect((await dossiers.dossier(`suspect:police:${suspectId}`)).root.status).toBe('charged');
  });

  it('follows border alerts from raised to confirmed or dismissed, per checkpoint', async () => {
    const raise = (checkpoint: string) => {
      const alertId = uuidv7();
      const crossingId = uuidv7();
      return {
        alertId,
        event: envelope('immigration', `alert-${alertId}`, 'intel.immigration.border-alert-raised', {
          alertId,
          crossingId,
          entryId: uuidv7(),
          traveller: { withheld: 'redacted', ref: crossingId, digest: `sha256:${'f'.repeat(64)}`, nationality: 'MY' },
          direction: 'inbound',
          checkpoint,
          crossedAt: '2024-03-01T08:00:00Z',
          match: { reason: 'passport', score: 1, withheld: 'redacted', ref: crossingId, digest: `sha256:${'f'.repeat(64)}` },
        }),
      };
    };
    const [one, two, three] = [raise('KLIA'), raise('KLIA'), raise('Johor Bahru')];
    for (const a of [one, two, three]) await record(a.event);
    await record(envelope('immigration', `alert-${one.alertId}`, 'intel.immigration.border-alert-confirmed', { alertId: one.alertId }));
    await record(envelope('immigration', `alert-${two.alertId}`, 'intel.immigration.border-alert-dismissed', { alertId: two.alertId, reason: 'namesake' }));
    expect((await dashboards.alerts()).byCheckpoint).toEqual([
      { checkpoint: 'KLIA', raised: 0, confirmed: 1, dismissed: 1, total: 2 },
      { checkpoint: 'Johor Bahru', raised: 1, confirmed: 0, dismissed: 0, total: 1 },
    ]);
  });

  it('rebuilds the derived tables from the feed to the same result', async () => {
    const read = async () => ({ victims: await dashboards.victims(), alerts: await dashboards.alerts(), suspects: await dashboards.suspects(), subjects: await dossiers.subjects() });
    const before = await read();
    expect(await projector.rebuild(db.dataSource)).toBe((await feed.page({}, undefined, 500)).items.length);
    expect(await read()).toEqual(before);
  });
});
