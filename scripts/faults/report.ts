// The run's report: printed short, and written in full as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckResult, DeliveryCounts } from './checks';
import { LoadStats } from './load';

export interface FaultRecord {
  name: string;
  what: string;
  /** ms since the load started */
  start: number;
  end: number;
  /**
   * fault end -> every service ready, every relay published what its store held at the fault's
   * end, and every consumer group caught up with its topics as of then (see recovery.ts); null if
   * that did not happen within the recovery timeout
   */
  recoveryMs: number | null;
  /** fault end -> every service ready */
  readyMs: number | null;
  /** fault end -> the relays had published the backlog */
  publishedMs: number | null;
  /** fault end -> first readiness sample with every service ready and the total lag exactly 0 (rare under load) */
  lagZeroMs: number | null;
  /** the next fault began before this one had recovered */
  overlapped?: string;
  detail?: Record<string, unknown>;
  error?: string;
}

export interface FaultsReport {
  ok: boolean;
  startedAt: string;
  wallSeconds: number;
  settings: Record<string, unknown>;
  load: LoadStats;
  deliveries: DeliveryCounts & { eventsStored: Record<string, number>; duplicatesInjected: number };
  maxLag: { lag: number; atSecond: number; service: string };
  faults: FaultRecord[];
  checks: CheckResult[];
  /** Readiness samples: seconds since the load started, HTTP status per service (0: no answer), total lag. */
  timeline: { t: number; status: Record<string, number>; lag: number }[];
  logs: string;
  error?: string;
}

const s = (ms: number | null) => (ms === null ? 'not recovered' : `${(ms / 1000).toFixed(1)} s`);

export function printReport(report: FaultsReport, print: (line: string) => void): void {
  const { load, deliveries } = report;
  print('');
  print(`Interlink fault suite: ${report.ok ? 'PASSED' : 'FAILED'} in ${report.wallSeconds.toFixed(0)} s`);
  print(`  load       ${load.issued} commands in ${load.issueSeconds} s = ${load.achievedRate}/s (asked ${report.settings.rate}/s; ${load.byKind.suspect} suspects, ${load.byKind.role ?? 0} role changes, ${load.byKind.crossing} crossings, ${load.byKind.case} cases)`);
  print(`             accepted ${load.acked} (${load.ackedDuringLoad} during the load = ${(load.ackedDuringLoad / Math.max(load.issueSeconds, 0.001)).toFixed(1)}/s), at most ${load.maxQueued} waiting for a request slot; refused ${load.refused}, not acknowledged ${load.abandoned}; ${load.retried} retried (${load.attempts} attempts), ${load.replayedAcks} answered "replayed"`);
  print(`             latency p50 ${load.latencyMs.p50} ms, p95 ${load.latencyMs.p95} ms, max ${load.latencyMs.max} ms; errors seen: ${Object.entries(load.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  print(`  events     stored ${Object.entries(deliveries.eventsStored).map(([k, v]) => `${k} ${v}`).join(', ')}; applied by partners ${Object.entries(deliveries.applied).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  print(`  duplicates injected ${deliveries.duplicatesInjected}, skipped by consumers ${deliveries.skipped}, recognised by the audit verifier ${Object.values(deliveries.auditDuplicates).reduce((a, b) => a + b, 0)}; lost ${deliveries.lost}`);
  print(`  lag        largest ${report.maxLag.lag} (${report.maxLag.service} at ${report.maxLag.atSecond.toFixed(1)} s)`);
  print('  faults     recovery = fault end -> all services ready, relays published the backlog, consumer lag back to 0 on it');
  for (const f of report.faults) {
    print(`    ${f.name.padEnd(17)} ${(f.start / 1000).toFixed(1).padStart(5)}-${(f.end / 1000).toFixed(1).padStart(5)} s  recovery ${s(f.recoveryMs).padEnd(13)} (ready ${s(f.readyMs)}, backlog published ${s(f.publishedMs)})  ${f.what}${f.overlapped ? ` [${f.overlapped}]` : ''}${f.error ? ` ERROR: ${f.error}` : ''}`);
  }
  const failed = report.checks.filter((c) => !c.ok);
  print(`  checks     ${report.checks.length - failed.length} of ${report.checks.length} passed`);
  for (const c of report.checks) print(`    ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (report.error) print(`  error      ${report.error}`);
  print(`  logs       ${report.logs}`);
}

export function writeReport(file: string, report: FaultsReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
