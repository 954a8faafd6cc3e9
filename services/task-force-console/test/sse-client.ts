import http from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** The body when the service did not answer with a stream (an error). */
  body(): string;
  /** Resolves once `count` events have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

/** A plain HTTP client of a server-sent-events stream, for tests: it parses what arrives and keeps it. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      let raw = '';
      let buffer = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      const waiters: { count: number; resolve: (e: SseEvent[]) => void }[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            if (current.data.length) events.push({ ...(current.id !== undefined ? { id: current.id } : {}), event: current.event ?? 'message', data: current.data.join('\n') });
            current = { data: [] };
            continue;
          }
          if (line.startsWith(':')) continue;
          const at = line.indexOf(':');
          const field = at < 0 ? line : line.slice(0, at);
          const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
          if (field === 'id') current.id = value;
          else if (field === 'event') current.event = value;
          else if (field === 'data') current.data.push(value);
        }
        for (const w of [...waiters]) {
          if (events.length >= w.count) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(events.slice());
          }
        }
      });
      response.on('error', () => undefined);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        body: () => raw,
        waitFor(count, timeoutMs = 20000) {
          if (events.length >= count) return Promise.resolve(events.slice());
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${count} events arrived within ${timeoutMs} ms: ${events.map((e) => e.id).join(',')}`)), timeoutMs);
            waiters.push({ count, resolve: (e) => (clearTimeout(timer), ok(e)) });
          });
        },
        close() {
          request.destroy();
          response.destroy();
        },
      });
    });
    request.on('error', reject);
  });
}

/** The body of a non-stream answer, once complete. */
export function drain(connection: SseConnection): Promise<string> {
  return new Promise((resolve) => setTimeout(() => resolve(connection.body()), 200));
}
