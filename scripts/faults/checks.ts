// The checks after the load: nothing accepted is lost, nothing is applied twice, every log
// verifies, and the ministry's published figures are those of its raw history.
import { isDeepStrictEqual } from 'node:util';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { EventEnvelope, interlinkRegistry, listAttribute, recipientsOf, topicFor } from '@interlink/contracts';
import { summariseHistory } from '../../services/foreign-ministry/src/reports/summary';
import { Injection, highWatermarks, readTopics } from './kafka-tools';
import { CommandRecord } from './load';
import { AgencyRole } from './services';

export interface Agency {
  role: AgencyRole;
  id: string;
  dbUrl: string;
  /** The policy consumer's name: its group id and its key in the inbox. */
  consumer: string;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DeliveryCounts {
  /** topic -> records on the topic, distinct events, copies injected by the suite, other repeats (relay republished after a fault) */
  topics: Record<string, { records: number; events: number; injected: number; republished: number }>;
  /** events applied by each recipient (inbox rows) */
  applied: Record<string, number>;
  /** deliveries skipped as already applied (records on the recipient's topics minus inbox rows) */
  skipped: number;
  lost: number;
  /** audit verification: duplicates recognised per agency */
  auditDuplicates: Record<string, number>;
}

async function withDb<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** Every event of an agency's store, in log order. */
async function storeEvents(db: Client): Promise<EventEnvelope[]> {
  return (await db.query(`SELECT envelope FROM interlink.events ORDER BY events.tx_id, events.position`)).rows.map((r: { envelope: EventEnvelope }) => r.envelope);
}

const preview = (items: string[], n = 5) => (items.length > n ? `${items.slice(0, n).join(', ')} and ${items.length - n} more` : items.join(', '));

export class Checker {
  readonly results: CheckResult[] = [];
  readonly counts: DeliveryCounts = { topics: {}, applied: {}, skipped: 0, lost: 0, auditDuplicates: {} };
  private readonly logs = new Map<AgencyRole, EventEnvelope[]>();

  constructor(
    private readonly agencies: Agency[],
    private readonly audit: { id: string; url: string; token: string },
    private readonly commands: CommandRecord[],
    private readonly injections: Injection[],
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly ministry: { url: string; token: string },
  ) {}

  private check(name: string, ok: boolean, detail: string): void {
    this.results.push({ name, ok, detail });
  }

  private agency(role: AgencyRole): Agency {
    return this.agencies.find((a) => a.role === role)!;
  }

  private log(role: AgencyRole): EventEnvelope[] {
    return this.logs.get(role)!;
  }

  async run(): Promise<CheckResult[]> {
    for (const a of this.agencies) this.logs.set(a.role, await withDb(a.dbUrl, storeEvents));
    const steps: [string, () => Promise<void>][] = [
      ['commands', () => this.commandsOnce()],
      ['deliveries', () => this.deliveriesOnce()],
      ['order', () => this.streamsInOrder()],
      ['policies', () => this.policyEffectsOnce()],
      ['kafka topics', () => this.topicsHoldEverything()],
      ['audit', () => this.auditVerifies()],
      ['ministry summary', () => this.summaryMatchesHistory()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.check(`${name}: the check itself failed`, false, (error as Error).stack ?? String(error));
      }
    }
    return this.results;
  }

  /** Every acknowledged command is recorded once, its events are in the owner's store once, and no command left more events than it reported. */
  private async commandsOnce(): Promise<void> {
    const notAcked = this.commands.filter((c) => c.status !== 'acked');
    this.check('every command was acknowledged', notAcked.length === 0,
      notAcked.length === 0 ? `${this.commands.length} of ${this.commands.length}` : `${notAcked.length} not: ${preview(notAcked.map((c) => `${c.agency} ${c.path} ${c.commandId} ${c.status}${c.refusal ? ` (${c.refusal.slice(0, 200)})` : ''}`), 3)}`);
    for (const a of this.agencies) {
      const acked = this.commands.filter((c) => c.agency === a.role && c.status === 'acked');
      const log = this.log(a.role);
      const byId = new Map<string, number>();
      for (const e of log) byId.set(e.id, (byId.get(e.id) ?? 0) + 1);
      const reported = acked.flatMap((c) => (c.result?.events ?? []).map((e) => e.id));
      const missing = reported.filter((id) => !byId.has(id));
      const doubled = [...byId].filter(([, n]) => n > 1).map(([id]) => id);
      const actor = `${a.id}/faults-load`;
      const byCommands = log.filter((e) => e.actor === actor).length;
      const recorded = await withDb(a.dbUrl, async (db) => (await db.query(`SELECT command_id::text AS id FROM interlink.commands`)).rows.map((r: { id: string }) => r.id));
      const recordedSet = new Set(recorded);
      const unrecorded = acked.filter((c) => !recordedSet.has(c.commandId)).map((c) => c.commandId);
      const sent = new Set(this.commands.filter((c) => c.agency === a.role).map((c) => c.commandId));
      const foreign = recorded.filter((id) => !sent.has(id));
      const ok = missing.length === 0 && doubled.length === 0 && byCommands === reported.length && unrecorded.length === 0 && foreign.length === 0;
      this.check(`${a.role}: every accepted command's events are in its store exactly once`, ok,
        `${acked.length} commands, ${reported.length} events reported, ${byCommands} in the store by these commands` +
          (missing.length ? `; missing: ${preview(missing)}` : '') +
          (doubled.length ? `; stored twice: ${preview(doubled)}` : '') +
          (unrecorded.length ? `; acknowledged but not in interlink.commands: ${preview(unrecorded)}` : '') +
          (foreign.length ? `; commands recorded that were never sent: ${preview(foreign)}` : ''));
    }
  }

  /** Every event released to a partner is in its inbox exactly once, and nothing is parked. */
  private async deliveriesOnce(): Promise<void> {
    for (const to of this.agencies) {
      const inbox = await withDb(to.dbUrl, async (db) => {
        const rows = (await db.query(`SELECT event_id::text AS id, topic FROM interlink.inbox WHERE consumer = $1`, [to.consumer])).rows as { id: string; topic: string }[];
        const parked = (await db.query(`SELECT id::text, topic, event_id::text, reason FROM interlink.parked_events WHERE resolved_at IS NULL ORDER BY parked_events.id`)).rows as { id: string; topic: string; event_id: string; reason: string }[];
        return { rows, parked };
      });
      this.counts.applied[to.role] = inbox.rows.length;
      this.check(`${to.role}: nothing parked`, inbox.parked.length === 0,
        inbox.parked.length === 0 ? 'no unresolved parked events' : `${inbox.parked.length} parked: ${preview(inbox.parked.map((p) => `#${p.id} ${p.topic} ${p.event_id}: ${p.reason.slice(0, 200)}`), 3)}`);
      for (const from of this.agencies) {
        if (from === to) continue;
        const topic = topicFor(from.id, to.id);
        const released = this.log(from.role)
          .filter((e) => recipientsOf(from.id, { classification: e.classification, releasableTo: listAttribute(e.releasableto) }).includes(to.id))
          .map((e) => e.id);
        if (released.length === 0) continue;
        const received = inbox.rows.filter((r) => r.topic === topic).map((r) => r.id);
        const receivedSet = new Set(received);
        const releasedSet = new Set(released);
        const lost = released.filter((id) => !receivedSet.has(id));
        const stray = received.filter((id) => !releasedSet.has(id));
        this.counts.lost += lost.length;
        this.check(`${from.role} -> ${to.role}: every released event applied exactly once`, lost.length === 0 && stray.length === 0 && receivedSet.size === received.length,
          `${released.length} released, ${received.length} in the inbox` + (lost.length ? `; lost: ${preview(lost)}` : '') + (stray.length ? `; applied but never released: ${preview(stray)}` : ''));
      }
    }
  }

  /** The policies' effects: one watchlist entry per suspect, one sighting per alert, one flag per matching case. */
  /**
   * Each recipient applied every partner stream in the stream's own order: by the time of each
   * batch's transaction and the offset within it, stream versions only go up. (A consumer that
   * lost its partitions while a batch was in flight, or a stream split across partitions, would
   * show here.)
   */
  private async streamsInOrder(): Promise<void> {
    for (const a of this.agencies) {
      const { streams, longest, disorders } = await withDb(a.dbUrl, async (db) => {
        const rows: { stream_id: string; versions: number[] }[] = (
          await db.query(
            `SELECT stream_id, array_agg((envelope->>'streamversion')::int ORDER BY received_at, kafka_offset) AS versions
               FROM interlink.inbox WHERE consumer = $1 GROUP BY stream_id`,
            [a.consumer],
          )
        ).rows;
        const out = rows.filter((r) => r.versions.some((v, i) => i > 0 && v <= r.versions[i - 1]));
        return {
          streams: rows.length,
          longest: Math.max(0, ...rows.map((r) => r.versions.length)),
          disorders: out.map((r) => `${r.stream_id} applied as versions ${r.versions.join(',')}`),
        };
      });
      this.check(`${a.role}: every partner stream applied in its order`, disorders.length === 0,
        disorders.length === 0 ? `${streams} streams, the longest ${longest} events` : `${disorders.length} out of order: ${preview(disorders, 3)}`);
    }
  }

  private async policyEffectsOnce(): Promise<void> {
    const police = this.log('police');
    const immigration = this.log('immigration');
    const ministry = this.log('foreign-ministry');
    const policeId = this.agency('police').id;
    const count = <K>(keys: K[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<K, number>());
    const exactlyOnce = (expected: string[], got: Map<string, number>) => ({
      missing: expected.filter((k) => !got.has(k)),
      doubled: [...got].filter(([, n]) => n > 1).map(([k]) => k),
      extra: [...got.keys()].filter((k) => !expected.includes(k)),
    });
    const describe = (r: { missing: string[]; doubled: string[]; extra: string[] }) =>
      (r.missing.length ? `; missing: ${preview(r.missing)}` : '') + (r.doubled.length ? `; more than once: ${preview(r.doubled)}` : '') + (r.extra.length ? `; unexpected: ${preview(r.extra)}` : '');
    const ok = (r: { missing: string[]; doubled: string[]; extra: string[] }) => r.missing.length + r.doubled.length + r.extra.length === 0;

    // Immigration: every police suspect on the watchlist once (store and read model).
    const suspects = police.filter((e) => e.type === 'intel.police.suspect-identified').map((e) => (e.data as { suspectId: string }).suspectId);
    const added = count(immigration.filter((e) => e.type === 'intel.immigration.watchlist-entry-added').map((e) => (e.data as { suspect?: { id: string } }).suspect?.id ?? '?'));
    const watchlistRows = await withDb(this.agency('immigration').dbUrl, async (db) =>
      count(((await db.query(`SELECT suspect->>'id' AS id FROM watchlist WHERE suspect IS NOT NULL`)).rows as { id: string }[]).map((r) => r.id)));
    const storeR = exactlyOnce(suspects, added);
    const rowsR = exactlyOnce(suspects, watchlistRows);
    this.check('immigration: every police suspect watchlisted exactly once', ok(storeR) && ok(rowsR),
      `${suspects.length} suspects, ${[...added.values()].reduce((a, b) => a + b, 0)} watchlist-entry-added events, ${[...watchlistRows.values()].reduce((a, b) => a + b, 0)} watchlist rows${describe(storeR)}${describe(rowsR)}`);

    // Police: every alert about a police suspect recorded as a sighting once (store, sightings table, counter).
    const alerts = immigration.filter((e) => e.type === 'intel.immigration.border-alert-raised' && (e.data as { suspect?: { agency: string } }).suspect?.agency === policeId);
    const alertIds = alerts.map((e) => (e.data as { alertId: string }).alertId);
    const sighted = count(police.filter((e) => e.type === 'intel.police.suspect-sighted').map((e) => (e.data as { alert: { id: string } }).alert.id));
    const sightings = await withDb(this.agency('police').dbUrl, async (db) => ({
      rows: count(((await db.query(`SELECT alert_id::text AS id FROM suspect_sightings`)).rows as { id: string }[]).map((r) => r.id)),
      counters: new Map(((await db.query(`SELECT suspect_id::text AS id, sightings FROM suspects WHERE sightings > 0`)).rows as { id: string; sightings: number }[]).map((r) => [r.id, r.sightings])),
    }));
    const perSuspect = count(alerts.map((e) => (e.data as { suspect: { id: string } }).suspect.id));
    const counterOff = [...new Set([...perSuspect.keys(), ...sightings.counters.keys()])].filter((id) => (perSuspect.get(id) ?? 0) !== (sightings.counters.get(id) ?? 0));
    const sightedR = exactlyOnce(alertIds, sighted);
    const rowsS = exactlyOnce(alertIds, sightings.rows);
    this.check('police: every immigration alert recorded as a sighting exactly once', ok(sightedR) && ok(rowsS) && counterOff.length === 0,
      `${alertIds.length} alerts, ${[...sighted.values()].reduce((a, b) => a + b, 0)} suspect-sighted events, ${[...sightings.rows.values()].reduce((a, b) => a + b, 0)} sighting rows` +
        describe(sightedR) + describe(rowsS) + (counterOff.length ? `; suspects whose sightings counter is off: ${preview(counterOff)}` : ''));

    // Immigration: the crossings aimed at watchlisted suspects raised exactly one alert each; the others none.
    const crossings = this.commands.filter((c) => c.kind === 'crossing' && c.status === 'acked');
    const wrongAlerts = crossings.filter((c) => {
      const raised = c.result?.alerts ?? [];
      return c.expectAlertFor ? raised.length !== 1 || raised[0].suspect?.id !== c.expectAlertFor : raised.length !== 0;
    });
    this.check('immigration: each crossing of a watchlisted suspect raised one alert, no other crossing any', wrongAlerts.length === 0,
      `${crossings.filter((c) => c.expectAlertFor).length} crossings of watchlisted suspects, ${alertIds.length} alerts` +
        (wrongAlerts.length ? `; wrong: ${preview(wrongAlerts.map((c) => `${c.commandId} (${(c.result?.alerts ?? []).length} alerts${c.expectAlertFor ? `, expected one for ${c.expectAlertFor}` : ''})`))}` : ''));

    // Ministry: each suspect made of an open case's person flagged that case exactly once; nothing else flagged.
    const expectedFlags = this.commands
      .filter((c) => c.kind === 'suspect' && c.status === 'acked' && c.matchesCase && c.result?.suspectId)
      .map((c) => `${c.matchesCase}/${c.result!.suspectId}`);
    const flags = count(ministry.filter((e) => e.type === 'intel.foreign-ministry.case-flagged-for-review').map((e) => {
      const d = e.data as { caseId: string; suspect: { id: string } };
      return `${d.caseId}/${d.suspect.id}`;
    }));
    const flagsR = exactlyOnce(expectedFlags, flags);
    const underReview = await withDb(this.agency('foreign-ministry').dbUrl, async (db) =>
      new Set(((await db.query(`SELECT case_id::text AS id FROM victim_cases WHERE under_review`)).rows as { id: string }[]).map((r) => r.id)));
    const notUnderReview = expectedFlags.map((k) => k.split('/')[0]).filter((id) => !underReview.has(id));
    this.check('foreign ministry: every case matching a police suspect flagged exactly once', ok(flagsR) && notUnderReview.length === 0,
      `${expectedFlags.length} matching suspects, ${[...flags.values()].reduce((a, b) => a + b, 0)} case-flagged-for-review events${describe(flagsR)}` +
        (notUnderReview.length ? `; not under review in the read model: ${preview(notUnderReview)}` : ''));
  }

  /** Each partner topic holds every released event; copies beyond one are the injected ones and the relay's republished batches. */
  private async topicsHoldEverything(): Promise<void> {
    const injected: Record<string, number> = {};
    for (const i of this.injections) for (const [topic, n] of Object.entries(i.perTopic)) injected[topic] = (injected[topic] ?? 0) + n;
    const pairs: { from: Agency; to: string; toRole?: AgencyRole }[] = [];
    for (const from of this.agencies) {
      for (const to of this.agencies) if (to !== from) pairs.push({ from, to: to.id, toRole: to.role });
      pairs.push({ from, to: this.audit.id });
    }
    const topics = pairs.map((p) => topicFor(p.from.id, p.to));
    const existing = new Set(await this.admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const messages = await readTopics(this.kafka, await highWatermarks(this.admin, present), 120_000);
    for (const { from, to, toRole } of pairs) {
      const topic = topicFor(from.id, to);
      const onTopic = messages.filter((m) => m.topic === topic);
      const ids = onTopic.map((m) => {
        try {
          return (JSON.parse(m.value?.toString('utf8') ?? '') as { id: string }).id;
        } catch {
          return '?';
        }
      });
      const distinct = new Set(ids);
      const expected = this.log(from.role).filter((e) => to === this.audit.id || recipientsOf(from.id, { classification: e.classification, releasableTo: listAttribute(e.releasableto) }).includes(to)).map((e) => e.id);
      const missing = expected.filter((id) => !distinct.has(id));
      const repeats = onTopic.length - distinct.size;
      const inj = injected[topic] ?? 0;
      this.counts.topics[topic] = { records: onTopic.length, events: distinct.size, injected: inj, republished: repeats - inj };
      if (toRole) this.counts.skipped += onTopic.length - (expected.length - missing.length);
      this.check(`${topic}: every released event is on the topic`, missing.length === 0 && repeats >= inj,
        `${expected.length} released, ${distinct.size} distinct on the topic, ${onTopic.length} records (${inj} copies injected, ${repeats - inj} republished)` + (missing.length ? `; missing: ${preview(missing)}` : ''));
    }
  }

  /** The auditors' verification of every log, from the archive and from Kafka, covers the whole store. */
  private async auditVerifies(): Promise<void> {
    for (const a of this.agencies) {
      const stored = this.log(a.role).length;
      for (const source of ['archive', 'kafka'] as const) {
        const res = await fetch(`${this.audit.url}/agencies/${a.id}/verification${source === 'kafka' ? '?source=kafka' : ''}`, {
          headers: { authorization: `Bearer ${this.audit.token}` },
          signal: AbortSignal.timeout(120_000),
        });
        const report = (await res.json()) as { ok: boolean; verified: number; duplicates: number; lastSequence?: number; problem?: { kind: string; detail: string; position: string } };
        if (source === 'archive') this.counts.auditDuplicates[a.role] = report.duplicates;
        const ok = res.status === 200 && report.ok && report.verified === stored && report.lastSequence === stored;
        this.check(`audit: ${a.role}'s log verifies from the ${source}`, ok,
          `HTTP ${res.status}; ${report.verified} of ${stored} events verified, last sequence ${report.lastSequence}, ${report.duplicates} duplicates recognised` +
            (report.problem ? `; problem: ${report.problem.kind} at ${report.problem.position}: ${report.problem.detail}` : ''));
      }
    }
  }

  /** GET /reports/summary equals summariseHistory over the ministry's raw log (waiting a little for the read model). */
  private async summaryMatchesHistory(): Promise<void> {
    const registry = interlinkRegistry();
    const deadline = Date.now() + 30_000;
    let summary: unknown;
    let recounted: unknown;
    for (;;) {
      const history = (await withDb(this.agency('foreign-ministry').dbUrl, storeEvents)).map((e) => registry.upcast(e));
      recounted = summariseHistory(history);
      const res = await fetch(`${this.ministry.url}/reports/summary`, { headers: { authorization: `Bearer ${this.ministry.token}` }, signal: AbortSignal.timeout(10_000) });
      summary = await res.json();
      if (isDeepStrictEqual(summary, recounted) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const s = summary as { total?: number; rescuedAndReturned?: number; stillTracked?: number };
    this.check('foreign ministry: /reports/summary equals summariseHistory over the raw log', isDeepStrictEqual(summary, recounted),
      isDeepStrictEqual(summary, recounted)
        ? `total ${s.total} (returned ${s.rescuedAndReturned}, tracked ${s.stillTracked})`
        : `served ${JSON.stringify(summary).slice(0, 600)}; recounted ${JSON.stringify(recounted).slice(0, 600)}`);
  }
}
