import { Agent, get } from 'node:http';
import { AddressInfo } from 'node:net';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { ConfigError } from './config';
import { createHttpApp, keepConnectionsAlive } from './http-app';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/** GET /ping through `agent`; the local port of the connection it went over. */
function ping(app: INestApplication, agent: Agent): Promise<number> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => {
      const local = res.socket.localPort!;
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(local) : reject(new Error(`status ${res.statusCode}`))));
    }).on('error', reject);
  });
}

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the services’ HTTP server (real sockets)', () => {
  const saved = process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  let app: INestApplication | undefined;
  let agent: Agent | undefined;

  afterEach(async () => {
    agent?.destroy();
    await app?.close();
    if (saved === undefined) delete process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
    else process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS = saved;
  });

  const start = async () => {
    app = await createHttpApp(PingModule, false);
    await app.listen(0, '127.0.0.1');
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  };

  it('keeps an idle connection open past Node’s 5 s, so a client that reuses it is not cut off', async () => {
    delete process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
    await start();
    expect(app!.getHttpServer().keepAliveTimeout).toBe(65_000);
    const first = await ping(app!, agent!);
    await idle(6_000);
    expect(await ping(app!, agent!)).toBe(first);
  }, 20_000);

  it('closes an idle connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS = '1000';
    await start();
    const first = await ping(app!, agent!);
    await idle(2_000);
    expect(await ping(app!, agent!)).not.toBe(first);
  }, 20_000);

  it('refuses a setting that is not a whole number of ms within bounds, naming it', () => {
    const server = { keepAliveTimeout: 0, headersTimeout: 0 } as unknown as Parameters<typeof keepConnectionsAlive>[0];
    expect(() => keepConnectionsAlive(server, { HTTP_KEEP_ALIVE_TIMEOUT_MS: '5s' })).toThrow(ConfigError);
    expect(() => keepConnectionsAlive(server, { HTTP_KEEP_ALIVE_TIMEOUT_MS: '999' })).toThrow('HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1000 to 240000, got "999"');
    keepConnectionsAlive(server, { HTTP_KEEP_ALIVE_TIMEOUT_MS: '30000' });
    expect(server).toEqual({ keepAliveTimeout: 30_000, headersTimeout: 31_000 });
  });
});
