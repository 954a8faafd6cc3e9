// What a run found: each figure beside its baseline, the ratio and the target, printed as it
// comes and written at the end to results.json and a markdown table, results.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Bench, Scale, Sizes } from './options';

export interface Figure {
  bench: Bench;
  /** What was measured, e.g. `in-process EventStore.append, batches of 100`. */
  name: string;
  unit: string;
  value: number | null;
  /** The plain thing measured in the same run, against which `value` is judged. */
  baseline?: { name: string; value: number | null };
  /** value / baseline. */
  ratio?: number | null;
  target?: { text: string; pass: boolean };
  /** How many measurements the value summarises (latencies). */
  samples?: number;
  note?: string;
}

export interface ProfileSummary {
  /** e.g. `police (append over HTTP)`. */
  what: string;
  file: string;
  /** Busy time sampled (idle excluded), and idle time. */
  totalMs: number;
  idleMs: number;
  top: { selfMs: number; percent: number; functionName: string; where: string }[];
}

export interface Results {
  date: string;
  scale: Scale;
  only: Bench[];
  machine: Record<string, unknown>;
  settings: { sizes: Sizes; services: Record<string, string> };
  figures: Figure[];
  /** Per benchmark: what else it saw (steps, lags, per-service memory, ...). */
  details: Partial<Record<Bench, unknown>>;
  failures: { bench: Bench; error: string }[];
  profiles: ProfileSummary[];
  durationSeconds: number;
}

export function ratioOf(value: number | null, baseline: number | null): number | null {
  return value === null || baseline === null || baseline === 0 ? null : value / baseline;
}

export function formatNumber(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit ? ` ${unit}` : ''}`;
}

function ratioText(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '' : ratio.toFixed(2);
}

/** One line per figure, as the run goes. */
export function figureLine(f: Figure): string {
  const parts = [`[${f.bench}] ${f.name}: ${formatNumber(f.value, f.unit)}`];
  if (f.samples !== undefined) parts.push(`(${f.samples} samples)`);
  if (f.baseline) parts.push(`| ${f.baseline.name}: ${formatNumber(f.baseline.value, f.unit)} | ratio ${ratioText(f.ratio) || 'n/a'}`);
  if (f.target) parts.push(`| target ${f.target.text}: ${f.target.pass ? 'PASS' : 'FAIL'}`);
  if (f.note) parts.push(`| ${f.note}`);
  return parts.join(' ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# Benchmark results`,
    '',
    `Run ${results.date}, scale \`${results.scale}\`, ${results.durationSeconds.toFixed(0)} s; benchmarks: ${results.only.join(', ')}.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, Kafka ${m.kafka}; load average ${m.loadAverageStart} at the start, ${m.loadAverageEnd} at the end.`,
    `Each figure stands beside a baseline measured in the same run: on a shared machine the ratio is the figure to compare, the absolute values move with what else runs.`,
    '',
    '| benchmark | figure | value | baseline | baseline value | ratio | target | result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.figures.map((f) =>
      [
        f.bench,
        cell(f.name + (f.samples !== undefined ? ` (${f.samples} samples)` : '') + (f.note ? `; ${f.note}` : '')),
        formatNumber(f.value, f.unit),
        f.baseline ? cell(f.baseline.name) : '',
        f.baseline ? formatNumber(f.baseline.value, f.unit) : '',
        ratioText(f.ratio),
        f.target ? cell(f.target.text) : '',
        f.target ? (f.target.pass ? 'pass' : '**fail**') : '',
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'),
    ),
  ];
  if (results.failures.length > 0) {
    lines.push('', '## Benchmarks that did not run to the end', '', ...results.failures.map((f) => `- ${f.bench}: ${cell(f.error)}`));
  }
  if (results.profiles.length > 0) {
    lines.push('', '## CPU profiles: top self time', '');
    for (const p of results.profiles) {
      lines.push(`### ${p.what}`, '', `\`${p.file}\`: ${formatNumber(p.totalMs)} ms busy, ${formatNumber(p.idleMs)} ms idle; % of busy time`, '', '| self ms | % | function | where |', '| --- | --- | --- | --- |');
      for (const t of p.top) lines.push(`| ${formatNumber(t.selfMs)} | ${t.percent.toFixed(1)} | ${cell(t.functionName)} | ${cell(t.where)} |`);
      lines.push('');
    }
  }
  const s = results.settings;
  lines.push('', '## Settings', '', '```json', JSON.stringify({ sizes: s.sizes, services: s.services }, null, 2), '```', '');
  return lines.join('\n');
}

export function writeResults(outDir: string, results: Results): { json: string; md: string } {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'results.json');
  const md = path.join(outDir, 'results.md');
  writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(md, markdown(results));
  return { json, md };
}
