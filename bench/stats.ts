/** Seconds since `start` (from process.hrtime.bigint()). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles. */
export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.length ? sorted[sorted.length - 1] : null };
}

/** Runs `worker` on `concurrency` loops until `seconds` have passed; returns how many calls succeeded and their latencies (ms). */
export async function closedLoop(concurrency: number, seconds: number, worker: () => Promise<void>): Promise<{ ok: number; failed: number; errors: Record<string, number>; seconds: number; latencies: number[] }> {
  const start = process.hrtime.bigint();
  const end = nowMs() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < end) {
        const t0 = nowMs();
        try {
          await worker();
          ok++;
          latencies.push(nowMs() - t0);
        } catch (error) {
          failed++;
          const key = (error as Error).message.slice(0, 120);
          errors[key] = (errors[key] ?? 0) + 1;
        }
      }
    }),
  );
  return { ok, failed, errors, seconds: secondsSince(start), latencies };
}
