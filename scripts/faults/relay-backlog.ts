// A focused reproduction (`node -r @swc-node/register scripts/faults/relay-backlog.ts`): the police
// service records FAULTS_BACKLOG (default 600) suspects while Kafka is unreachable, then Kafka
// comes back; the relay must publish the whole backlog (it starts with a full batch of
// RELAY_BATCH_SIZE events, all of which go to the auditors' single-partition topic). Exit 0 when
// the relay's checkpoint reaches the store's event count within FAULTS_PUBLISH_TIMEOUT_S (60).
// Uses the fault suite's own broker, proxy and Postgres cluster (see scripts/faults/config.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { devIssuer, issueToken } from '@interlink/security';
import { faultsConfig } from './config';
import { Broker, PostgresCluster } from './infra';
import { TcpProxy } from './proxy';
import { ServiceProcess, freePort, waitHealthy } from './services';

async function main(): Promise<number> {
  const config = faultsConfig();
  const backlog = Number(process.env.FAULTS_BACKLOG || 600);
  const timeoutS = Number(process.env.FAULTS_PUBLISH_TIMEOUT_S || 60);
  const run = randomBytes(3).toString('hex');
  const pg = new PostgresCluster(config);
  const proxy = new TcpProxy(config.kafkaProxyPort, config.kafkaPort);
  const broker = new Broker(config);
  const keysDir = mkdtempSync(path.join(tmpdir(), 'interlink-relay-backlog-'));
  let police: ServiceProcess | undefined;
  try {
    rmSync(path.join(config.outDir, 'relay-backlog-police.log'), { force: true });
    await pg.ensure();
    await proxy.start();
    await broker.startFresh();
    // Every client connection goes through the proxy (the broker advertises its port): Kafka is away.
    proxy.dropAll(3600_000);
    const police0 = new ServiceProcess('police', 'police', await freePort(), {
      AGENCY_ID: `r${run}-police`, POLICE_AGENCY_ID: `r${run}-police`, AUDIT_AGENCY_ID: `r${run}-audit`,
      DATABASE_URL: pg.databaseUrl(`relay_backlog_${run}`), KEYS_DIR: keysDir, KAFKA_BROKERS: `127.0.0.1:${config.kafkaProxyPort}`,
      KAFKA_STARTUP_WAIT_MS: '0', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '100000',
    }, path.join(config.outDir, 'relay-backlog-police.log'));
    police = police0;
    police.start();
    await waitHealthy(police, '/health', 120_000);
    const token = issueToken(devIssuer(keysDir), { sub: 'relay-backlog', agency: `r${run}-police`, roles: ['officer'] });
    for (let i = 0; i < backlog; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, backlog - i) }, async (_, j) => {
        const res = await fetch(`${police0.url}/suspects`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ commandId: randomUUID(), role: 'recruiter', person: { name: `Backlog Suspect ${i + j}`, birthDate: '1970-01-01', nationality: 'MY', passports: [{ number: `B${run}${i + j}`.toUpperCase(), country: 'MY' }] } }),
        });
        if (res.status !== 201) throw new Error(`POST /suspects answered ${res.status}: ${await res.text()}`);
      }));
    }
    console.log(`recorded ${backlog} suspects while Kafka was away; opening the door`);
    proxy.reopen();
    const db = new Client({ connectionString: pg.databaseUrl(`relay_backlog_${run}`) });
    await db.connect();
    try {
      const deadline = Date.now() + timeoutS * 1000;
      for (;;) {
        const events = (await db.query(`SELECT count(*)::int AS n FROM interlink.events`)).rows[0].n as number;
        const published = Number((await db.query(`SELECT coalesce(max(sequence), 0)::int AS n FROM interlink.relay_checkpoints`)).rows[0].n);
        if (published >= events) {
          console.log(`the relay published all ${events} events`);
          return 0;
        }
        if (Date.now() > deadline) {
          console.log(`after ${timeoutS} s the relay has published ${published} of ${events} events; see ${police.logFile}`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await db.end();
    }
  } finally {
    await police?.stop();
    police?.closeLog();
    await broker.remove().catch(() => undefined);
    await proxy.stop();
    if (!config.keep) await pg.remove();
    rmSync(keysDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
