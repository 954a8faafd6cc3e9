// A TCP proxy in front of the suite's broker. The broker advertises the proxy's port, so every
// client connection (services, audit, the suite's own clients) goes through it, and the suite can
// delay the traffic or cut every connection at will. Loopback only.
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class TcpProxy {
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
  private delayMs = 0;
  private refuseUntil = 0;
  readonly stats = { connections: 0, dropped: 0, refused: 0, delayedChunks: 0 };

  constructor(
    private readonly listenPort: number,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (Date.now() < this.refuseUntil) {
      this.stats.refused++;
      client.resetAndDestroy();
      return;
    }
    this.stats.connections++;
    client.setNoDelay(true);
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    upstream.setNoDelay(true);
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    this.forward(client, upstream);
    this.forward(upstream, client);
  }

  /** Copies one direction, each chunk held back by the current delay (order kept: one queue per direction). */
  private forward(from: net.Socket, to: net.Socket): void {
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length && queue[0].at <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(flush, queue[0].at - now);
    };
    from.on('data', (chunk: Buffer) => {
      if (this.delayMs === 0 && queue.length === 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      this.stats.delayedChunks++;
      queue.push({ at: Date.now() + this.delayMs, chunk });
      if (!timer) timer = setTimeout(flush, Math.max(0, queue[0].at - Date.now()));
    });
    from.on('end', () => {
      const finish = () => (queue.length ? setTimeout(finish, 5) : to.end());
      finish();
    });
  }

  /** Adds `ms` of latency to every chunk in both directions (0 ends it). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Resets every open connection, and refuses new ones for `refuseMs`. */
  dropAll(refuseMs: number): number {
    this.refuseUntil = Date.now() + refuseMs;
    const n = this.pairs.size;
    for (const { client, upstream } of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.stats.dropped += n;
    return n;
  }

  /** Accepts connections again at once (ends a refusal started by dropAll). */
  reopen(): void {
    this.refuseUntil = 0;
  }

  get open(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
