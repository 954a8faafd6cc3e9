import { BeforeApplicationShutdown, Inject, Injectable, Logger, MessageEvent, OnModuleInit } from '@nestjs/common';
import { Observable } from 'rxjs';
import { NotificationListener } from '@interlink/event-store';
import { ConsoleConfig } from '../config';
import { FEED_CHANNEL } from '../read-model/schema';
import { CONSOLE_CONFIG } from '../tokens';
import { FeedFilterDto } from './feed.dto';
import { FeedService } from './feed.service';

/** Events sent per query while a stream catches up. */
const PAGE = 200;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15000;
/** Looks for new rows this often even without a notification (a lost one costs at most this). */
const POLL_MS = 2000;

interface Listener {
  wake(): void;
  end(): void;
}

/**
 * Live streams of the feed over server-sent events. Each stream has a cursor, the last feed
 * number it sent; whenever a row is committed (Postgres NOTIFY from the consumer's transaction,
 * and a slow poll in case one is lost) it sends the rows after its cursor that pass its filters,
 * in feed order, each with its feed number as the event id. Feed numbers are given in commit
 * order, so a stream never skips a row that commits late; a client that reconnects with the
 * last id it received (Last-Event-ID) gets exactly the rows after it: no gap, no repeat.
 */
@Injectable()
export class FeedLive implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('FeedLive');
  private readonly listeners = new Set<Listener>();
  private notifications?: NotificationListener;
  private poll?: NodeJS.Timeout;
  private polledHead = 0;

  constructor(
    private readonly feed: FeedService,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.notifications = new NotificationListener(this.config.databaseUrl, FEED_CHANNEL, () => this.wakeAll(), (e) => this.logger.warn(`feed notifications: ${e.message}`));
    await this.notifications.start();
    this.poll = setInterval(() => void this.pollHead(), POLL_MS);
    this.poll.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    for (const listener of [...this.listeners]) listener.end();
    await this.notifications?.stop();
  }

  /** How many streams are open (for health and tests). */
  get streams(): number {
    return this.listeners.size;
  }

  /** Wakes the streams when the feed grew without a notification reaching this instance. */
  private async pollHead(): Promise<void> {
    if (this.listeners.size === 0) return;
    try {
      const head = await this.feed.head();
      if (head > this.polledHead) {
        this.polledHead = head;
        this.wakeAll();
      }
    } catch (error) {
      this.logger.warn(`feed poll: ${(error as Error).message}`);
    }
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener.wake();
  }

  /** A stream of the events after feed number `after` that pass `filter`, then of new ones as they arrive. */
  stream(filter: FeedFilterDto, after: number): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let cursor = after;
      let running = false;
      let again = false;
      let closed = false;
      const pump = async () => {
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            for (;;) {
              const items = await this.feed.after(filter, cursor, PAGE);
              for (const item of items) {
                if (closed) return;
                subscriber.next({ id: String(item.seq), type: 'feed', data: item });
                cursor = item.seq;
              }
              if (items.length < PAGE) break;
            }
          } while (again && !closed);
        } catch (error) {
          // The client reconnects with the last id it received and misses nothing.
          if (!closed) subscriber.error(error);
        } finally {
          running = false;
        }
      };
      const listener: Listener = { wake: () => void pump(), end: () => subscriber.complete() };
      this.listeners.add(listener);
      const keepAlive = setInterval(() => subscriber.next({ comment: 'keep-alive' }), KEEP_ALIVE_MS);
      // A first line at once: the headers go out and the client knows the stream is open.
      subscriber.next({ comment: `feed after ${cursor}` });
      void pump();
      return () => {
        closed = true;
        clearInterval(keepAlive);
        this.listeners.delete(listener);
      };
    });
  }
}
