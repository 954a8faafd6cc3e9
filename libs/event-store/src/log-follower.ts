import { NotificationListener } from './notifications';
import { EVENTS_CHANNEL } from './schema';

export interface LogFollowerOptions {
  /** Database URL, for LISTEN on the events channel. */
  databaseUrl: string;
  /** Longest wait for a notification before looking anyway, in ms. */
  pollIntervalMs: number;
  /**
   * After waking from a wait, how long to wait more before the round, in ms (default 0): appends
   * that commit meanwhile share the round instead of each starting one of their own.
   */
  lingerMs?: number;
  onError?: (error: Error) => void;
}

/**
 * Runs `step` in a loop for as long as it reports more work, then sleeps until an append
 * notifies (or the poll interval passes, in case a notification was lost), and lingers
 * `lingerMs` before the next round.
 */
export class LogFollower {
  private listener?: NotificationListener;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;
  /** Ends a linger at once (on stop). */
  private cutLinger?: () => void;

  constructor(
    private readonly options: LogFollowerOptions,
    /** One round of work; resolves to true when there is more to do at once. */
    private readonly step: () => Promise<boolean>,
  ) {}

  async start(): Promise<void> {
    this.listener = new NotificationListener(this.options.databaseUrl, EVENTS_CHANNEL, () => this.notify(), this.options.onError);
    await this.listener.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cutLinger?.();
    this.notify();
    await this.loop;
    await this.listener?.stop();
  }

  notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await this.step();
      } catch (error) {
        this.options.onError?.(error as Error);
      }
      if (!busy) {
        await this.idle();
        await this.linger();
      }
    }
  }

  /** Waits `lingerMs` after a wake; the round that follows reads what those who notified meanwhile committed. */
  private async linger(): Promise<void> {
    const ms = this.options.lingerMs ?? 0;
    if (ms <= 0 || !this.running) return;
    await this.pause(ms, (cut) => (this.cutLinger = cut));
    this.pendingWake = false;
  }

  /** Waits for a notification, unless one came while the last round ran, or for the poll interval. */
  private async idle(): Promise<void> {
    if (!this.pendingWake && this.running) await this.pause(this.options.pollIntervalMs, (cut) => (this.wake = cut));
    this.pendingWake = false;
  }

  /** Waits `ms`, or until the function handed to `cutBy` is called; either way that hold is let go. */
  private pause(ms: number, cutBy: (cut: (() => void) | undefined) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        cutBy(undefined);
        resolve();
      };
      const timer = setTimeout(done, ms);
      cutBy(done);
    });
  }
}
