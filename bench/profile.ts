// The top self-time functions of a V8 CPU profile (`node --cpu-prof`), to point optimisation at
// where a service spends its time.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './options';
import { ProfileSummary } from './report';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * `window` (µs of the monotonic clock, the one V8 stamps profiles with and process.hrtime reads)
 * keeps only the samples taken while the benchmark measured, leaving out start-up and warm-up.
 */
export function summariseProfile(file: string, what: string, window?: { fromUs: number; toUs: number }, top = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const frame = byNode.get(id)!.callFrame;
    // Waiting for I/O is not work to optimise; it is reported apart.
    if (frame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    totalUs += delta;
    const url = frame.url.replace(/^file:\/\//, '');
    const where = url ? `${path.relative(ROOT, url)}:${frame.lineNumber + 1}` : '(native)';
    const key = `${frame.functionName || '(anonymous)'}\n${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  });
  const entries = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    what,
    file: path.relative(ROOT, file),
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top: entries.map(([key, us]) => {
      const [functionName, where] = key.split('\n');
      return { selfMs: us / 1000, percent: (100 * us) / totalUs, functionName, where };
    }),
  };
}

/** Every profile written under `dir/<service>/`, summarised. */
export function summariseProfiles(dir: string, what: string, window?: { fromUs: number; toUs: number }): ProfileSummary[] {
  if (!existsSync(dir)) return [];
  const out: ProfileSummary[] = [];
  for (const service of readdirSync(dir).sort()) {
    const files = existsSync(path.join(dir, service)) ? readdirSync(path.join(dir, service)).filter((f) => f.endsWith('.cpuprofile')) : [];
    for (const f of files) out.push(summariseProfile(path.join(dir, service, f), `${service} (${what})`, window));
  }
  return out;
}
