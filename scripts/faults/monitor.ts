// Samples every service's readiness (GET /health/ready, or /health for the audit service) and
// the consumer lag it reports, twice a second, for the largest lag and the recovery times.
import { ServiceProcess } from './services';

export interface Sample {
  /** ms since the load started */
  t: number;
  /** per service name: readiness status (0: no answer) and the lag it reported */
  services: Record<string, { status: number; lag?: number; down?: string }>;
  allReady: boolean;
  totalLag: number;
}

export class ReadinessMonitor {
  readonly samples: Sample[] = [];
  private running = false;
  private loop?: Promise<void>;
  maxLag = { lag: 0, t: 0, service: '' };

  constructor(
    private readonly services: () => ServiceProcess[],
    private readonly clock: () => number,
    private readonly intervalMs = 500,
    private readonly timeoutMs = 2500,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now();
        await this.sample();
        await new Promise((r) => setTimeout(r, Math.max(0, this.intervalMs - (Date.now() - started))));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One round over every service; a service that does not answer within the timeout counts as not ready. */
  async sample(): Promise<Sample> {
    const t = this.clock();
    const services = this.services();
    const results = await Promise.all(
      services.map(async (s) => {
        const route = s.role === 'audit' ? '/health' : '/health/ready';
        try {
          const res = await fetch(`${s.url}${route}`, { signal: AbortSignal.timeout(this.timeoutMs) });
          const body = (await res.json().catch(() => ({}))) as { details?: { consumer?: { lag?: number } }; error?: Record<string, { status: string; message?: string }> };
          const lag = body.details?.consumer?.lag;
          const down = body.error ? Object.entries(body.error).map(([k, v]) => `${k}${v.message ? `: ${v.message}` : ''}`).join('; ') : undefined;
          return [s.name, { status: res.status, ...(lag !== undefined ? { lag } : {}), ...(down ? { down } : {}) }] as const;
        } catch (error) {
          return [s.name, { status: 0, down: (error as Error).name === 'TimeoutError' ? 'no answer' : 'refused' }] as const;
        }
      }),
    );
    const byName = Object.fromEntries(results);
    // Replicas of one agency report the same group's lag: count each agency once.
    const lagByRole = new Map<string, number>();
    for (const s of services) {
      const lag = byName[s.name].lag;
      if (lag !== undefined) lagByRole.set(s.role, Math.max(lagByRole.get(s.role) ?? 0, lag));
      if (lag !== undefined && lag > this.maxLag.lag) this.maxLag = { lag, t, service: s.name };
    }
    const sample: Sample = {
      t,
      services: byName,
      allReady: results.every(([, r]) => r.status === 200),
      totalLag: [...lagByRole.values()].reduce((a, b) => a + b, 0),
    };
    this.samples.push(sample);
    return sample;
  }

  /** The first sample at or after `from` at which every service is ready and the lag is at most `lag`. */
  recoveredAt(from: number, lag: number): Sample | undefined {
    return this.samples.find((s) => s.t >= from && s.allReady && s.totalLag <= lag);
  }
}
