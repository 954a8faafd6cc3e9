import { NotificationListener } from './notifications';
import { EVENTS_CHANNEL } from './schema';

export interface LogFollowerOptions {
  /** Database URL, for LISTEN on the events channel. */
  databaseUrl: string;
  /** Longest wait for a notification before looking anyway, in ms. */
  pollIntervalMs: number;
  onError?: (error: Error) => void;
}

/**
 * Runs `step` in a loop for as long as it reports more work, then sleeps until an append
 * notifies (or the poll interval passes, in case a notification was lost).
 */
export class LogFollower {
  private listener?: NotificationListener;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;

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
      if (!busy) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      this.wake = done;
    });
  }
}
