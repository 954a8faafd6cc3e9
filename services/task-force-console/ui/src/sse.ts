import { readProblem } from './api';
import type { Problem } from './types';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface StreamOptions {
  /** The stream's URL for a (re)connection: carries the filters and the first `after`. */
  url: string;
  token: string;
  onEvent(type: string, data: string, id: string | undefined): void;
  onStatus(status: StreamStatus, detail?: string): void;
  /** The service refused the request itself (bad filter, bad token): reconnecting would not help. */
  onRefused(problem: Problem): void;
}

/**
 * A server-sent-events client over fetch, so the request can carry the bearer token (the
 * browser's EventSource cannot send headers). Like EventSource it remembers the id of the last
 * event and sends it as Last-Event-ID when it reconnects after a dropped connection, so the
 * service resumes right after it; unlike it, it stops for good on a 4xx answer.
 */
export class FeedStream {
  private controller?: AbortController;
  private stopped = false;
  private lastEventId?: string;
  private retryMs = 1000;

  constructor(private readonly options: StreamOptions) {}

  /** The id of the last event received (what a reconnection sends as Last-Event-ID). */
  get lastId(): string | undefined {
    return this.lastEventId;
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.options.onStatus('stopped');
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      this.options.onStatus(first ? 'connecting' : 'reconnecting');
      first = false;
      this.controller = new AbortController();
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${this.options.token}` };
        if (this.lastEventId !== undefined) headers['Last-Event-ID'] = this.lastEventId;
        const res = await fetch(this.options.url, { headers, signal: this.controller.signal, cache: 'no-store' });
        if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          this.stopped = true;
          this.options.onRefused(await readProblem(res));
          this.options.onStatus('stopped');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`the service answered ${res.status}`);
        this.options.onStatus('live');
        this.retryMs = 1000;
        await this.read(res.body);
      } catch (error) {
        if (this.stopped) return;
        this.options.onStatus('reconnecting', (error as Error).message);
      }
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 10000);
    }
  }

  /** Parses the event stream (https://html.spec.whatwg.org/multipage/server-sent-events.html) until it ends. */
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let type = '';
    let data: string[] = [];
    let id: string | undefined;
    const dispatch = () => {
      if (id !== undefined) this.lastEventId = id;
      if (data.length > 0) this.options.onEvent(type || 'message', data.join('\n'), id ?? this.lastEventId);
      type = '';
      data = [];
      id = undefined;
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          dispatch();
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const raw = colon === -1 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'event') type = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id' && !text.includes('\0')) id = text;
        else if (field === 'retry' && /^\d+$/.test(text)) this.retryMs = Number(text);
      }
    }
  }
}
