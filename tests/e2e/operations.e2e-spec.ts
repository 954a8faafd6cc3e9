import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { uuidv7 } from '@interlink/contracts';
import { devIssuer, issueToken } from '@interlink/security';
import { databaseUrl, randomSuffix, spawnService, testAgencies, testServerUrl, waitFor } from '@interlink/testing';
import { startStack } from './stack';

/** A port on loopback that nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP relay to the local broker that the test opens when it wants Kafka to be reachable. */
function kafkaDoor(port: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(9092, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    open: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

const suspect = (name: string) => ({ commandId: uuidv7(), person: { name, nationality: 'MY', passports: [{ number: `A${Math.floor(Math.random() * 1e8)}`, country: 'MY' }] }, role: 'recruiter' });

describe('operations: readiness, starting without Kafka, graceful shutdown (real Kafka, real Postgres)', () => {
  it('reports ready with Postgres, Kafka, the consumer and its lag, in the agency and audit services', async () => {
    const stack = await startStack(['police', 'immigration'], { audit: true });
    try {
      const ready = await waitFor('readiness', async () => {
        const response = await stack.immigration.http(null).get('/health/ready');
        return response.status === 200 ? response.body : undefined;
      });
      expect(ready).toMatchObject({
        status: 'ok',
        details: {
          service: { status: 'up' },
          postgres: { status: 'up' },
          kafka: { status: 'up', running: true },
          consumer: { status: 'up', lag: expect.any(Number), consumers: { [`${stack.immigration.id}-policies`]: { running: true, restarts: 0 } } },
          relay: { status: 'up', leader: true, waiting: expect.any(Number) },
        },
      });
      expect(ready.details.consumer.partitions.map((p: { topic: string }) => p.topic)).toContain(`intel.${stack.police.id}.${stack.immigration.id}`);
      // The auditors' archive reports the same way, its lag on every agency's feed.
      const audit = await waitFor('the audit service ready', async () => {
        const response = await stack.audit.http(null).get('/health/ready');
        return response.status === 200 ? response.body : undefined;
      });
      expect(audit.details.consumer.partitions.map((p: { topic: string }) => p.topic)).toContain(`intel.${stack.police.id}.${stack.audit.id}`);
    } finally {
      await stack.stop();
    }
  });

  it('starts without Kafka (police and the auditors), serves and records commands, reports not ready, and publishes and archives once Kafka is back', async () => {
    const port = await freePort();
    const door = kafkaDoor(port);
    const stack = await startStack(['police'], { audit: true, env: { KAFKA_BROKERS: `127.0.0.1:${port}`, KAFKA_STARTUP_WAIT_MS: '0' } });
    try {
      const notReady = await stack.police.http(null).get('/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ status: 'error', error: { kafka: { status: 'down' } } });
      // The auditors' service started too, and serves; it archives once Kafka is there.
      expect((await stack.audit.http(null).get('/health/serving')).status).toBe(200);
      expect((await stack.audit.http(null).get('/health/ready')).status).toBe(503);
      // A load balancer keeps sending it commands meanwhile: the store is the outbox.
      const serving = await stack.police.http(null).get('/health/serving');
      expect(serving.status).toBe(200);
      expect(serving.body).toMatchObject({ status: 'ok', details: { service: { status: 'up' }, postgres: { status: 'up' } } });

      const recorded = await stack.police.http().post('/suspects').send(suspect('Recorded While Kafka Was Away')).expect(201);
      expect(recorded.body.result.events).toHaveLength(1);

      await door.open();
      await waitFor('readiness once Kafka is reachable', async () => (await stack.police.http(null).get('/health/ready')).status === 200, { timeoutMs: 90_000, intervalMs: 500 });
      await waitFor('the relay to publish what was recorded', async () => {
        const [row] = await stack.police.dataSource.query(`SELECT sequence::int FROM interlink.relay_checkpoints`);
        return row?.sequence >= 1;
      });
      await waitFor('the auditors to archive it', async () => (await stack.audit.dataSource.query(`SELECT 1 FROM audit.archive LIMIT 1`)).length === 1, { timeoutMs: 90_000, intervalMs: 500 });
      expect((await stack.audit.http(null).get('/health/ready')).status).toBe(200);
    } finally {
      await stack.stop();
      await door.close();
    }
  }, 150_000);

  it('on SIGTERM finishes what it accepted, exits 0, and loses nothing', async () => {
    const agencies = testAgencies('police', 'audit');
    const keysDir = mkdtempSync(path.join(tmpdir(), 'interlink-keys-'));
    const database = `interlink_test_police_${randomSuffix()}`;
    const port = await freePort();
    const env = { AGENCY_ID: agencies.police, POLICE_AGENCY_ID: agencies.police, AUDIT_AGENCY_ID: agencies.audit, DATABASE_URL: databaseUrl(database), KEYS_DIR: keysDir, PORT: String(port), RATE_LIMIT_BURST: '100000' };
    const service = spawnService('police', env);
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the police service to start', async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000, intervalMs: 200 });
      const token = issueToken(devIssuer(keysDir), { sub: 'insp.rahman', agency: agencies.police, roles: ['officer'] });
      const send = () =>
        fetch(`${base}/suspects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(suspect('Shutdown Test')) })
          .then((r) => r.status)
          .catch(() => 'refused' as const);
      const first = await Promise.all(Array.from({ length: 20 }, send));
      expect(first.every((s) => s === 201)).toBe(true);

      const during = Array.from({ length: 30 }, send);
      service.kill('SIGTERM');
      const statuses = await Promise.all(during);
      const { code, signal } = await service.exited;
      // Nest re-raises the signal once its shutdown hooks are done: ended by SIGTERM, not killed mid-way.
      const graceful = code === 0 || (code === null && signal === 'SIGTERM');
      expect({ graceful, output: graceful ? '' : service.output() }).toEqual({ graceful: true, output: '' });
      // Each request was either done or refused outright: never half done, never a server error.
      expect(statuses.filter((s) => s !== 201 && s !== 'refused')).toEqual([]);

      const accepted = first.length + statuses.filter((s) => s === 201).length;
      const db = new Client({ connectionString: databaseUrl(database) });
      await db.connect();
      try {
        const [{ events }] = (await db.query(`SELECT count(*)::int AS events FROM interlink.events WHERE type = 'intel.police.suspect-identified'`)).rows;
        const [{ commands }] = (await db.query(`SELECT count(*)::int AS commands FROM interlink.commands`)).rows;
        expect({ events, commands }).toEqual({ events: accepted, commands: accepted });
      } finally {
        await db.end();
      }
    } finally {
      if (service.child.exitCode === null) service.kill('SIGKILL');
      rmSync(keysDir, { recursive: true, force: true });
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);
});
