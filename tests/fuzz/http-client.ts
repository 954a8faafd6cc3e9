import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** What came back, trimmed to what the properties look at. */
export interface Answer {
  status: number;
  contentType: string;
  /** At most the first 64 KiB of the body; an event stream is not read beyond its headers. */
  body: string;
}

/** The bytes of one request; the path is sent exactly as given (already percent-encoded). */
export interface Wire {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const KEEP_BYTES = 64 * 1024;
const TIMEOUT_MS = 60_000;

/**
 * Sends a request with its path exactly as given (percent-encoded, hostile encodings included) and
 * reads the answer. An event stream (SSE) never ends, so it is closed once its headers arrived. A
 * server that answers before reading the whole body (413) may reset the connection while the body
 * is still being written: the answer counts, not the reset.
 */
export function send(base: URL, wire: Wire): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: wire.method,
        path: wire.path,
        headers: { ...wire.headers, ...(wire.body ? { 'content-length': String(wire.body.length) } : {}) },
        agent: false,
      },
      (res) => {
        answered = true;
        const contentType = String(res.headers['content-type'] ?? '');
        const status = res.statusCode ?? 0;
        if (contentType.startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status, contentType, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < KEEP_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        const done = () => resolve({ status, contentType, body: Buffer.concat(chunks).subarray(0, KEEP_BYTES).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(wire.body);
  });
}

/**
 * Sends bytes that no HTTP client library would send (a NUL in the request line, a header line
 * without a colon) over a plain socket, and reads the status line, headers and body.
 */
export function sendRaw(base: URL, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => (chunks.length ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
      resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    });
    // The server closes after answering: a malformed request, or a well-formed one with `Connection: close`.
    socket.write(bytes);
  });
}
