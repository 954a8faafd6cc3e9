import { Test } from '@nestjs/testing';
import { HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConsumerHealth, RelayStatus } from '@interlink/messaging';
import { HealthController, READINESS, Readiness } from './health.controller';

/** A service as readiness sees it; each test breaks one part. Postgres always answers here. */
function runtime(overrides: { consumers?: Record<string, ConsumerHealth>; relay?: RelayStatus } = {}): Readiness {
  return {
    shuttingDown: false,
    kafkaStatus: async () => ({ brokers: 1, controller: 1, running: true }),
    lag: async () => [{ topic: 'intel.police.immigration', partition: 0, committed: 4, high: 4, lag: 0 }],
    consumers: () => overrides.consumers ?? { 'immigration-policies': { running: true, restarts: 0 } },
    relayStatus: async () => overrides.relay ?? { leader: true, published: 12, waiting: 0 },
  };
}

async function ready(readiness: Readiness, route: 'ready' | 'serving' = 'ready'): Promise<{ status: number; body: any }> {
  const module = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [
      { provide: READINESS, useValue: readiness },
      {
        provide: TypeOrmHealthIndicator,
        useFactory: (indicators: HealthIndicatorService) => ({ pingCheck: (key: string) => indicators.check(key).attempt(async () => undefined) }),
        inject: [HealthIndicatorService],
      },
    ],
  }).compile();
  let status = 200;
  const body = await module.get(HealthController)[route]({ status: (code: number) => (status = code) });
  await module.close();
  return { status, body };
}

describe('readiness', () => {
  it('is ready with the consumers in their groups and the relay publishing, and shows both', async () => {
    const { status, body } = await ready(runtime());
    expect(status).toBe(200);
    expect(body.details.relay).toEqual({ status: 'up', leader: true, published: 12, waiting: 0 });
    expect(body.details.consumer).toMatchObject({ status: 'up', lag: 0, consumers: { 'immigration-policies': { running: true, restarts: 0 } } });
  });

  it('is not ready while a consumer is out of its group, and says which one and why', async () => {
    const crashed = { running: false, restarts: 2, lastCrash: { at: '2026-11-27T10:00:00.000Z', message: 'The coordinator is not aware of this member', restartedBy: 'supervisor' as const } };
    const { status, body } = await ready(runtime({ consumers: { 'immigration-policies': { running: true, restarts: 0 }, 'immigration-keys': crashed } }));
    expect(status).toBe(503);
    expect(body.error.consumer.message).toBe(
      'not consuming: immigration-keys crashed at 2026-11-27T10:00:00.000Z (The coordinator is not aware of this member) and is being restarted by supervisor',
    );
  });

  it('is not ready while publishing fails with events waiting, and gives the error', async () => {
    const failing = { since: '2026-11-27T10:00:00.000Z', message: 'This server is not the leader for that topic-partition' };
    const { status, body } = await ready(runtime({ relay: { leader: true, published: 12, waiting: 3, failing } }));
    expect(status).toBe(503);
    expect(body.error.relay).toMatchObject({
      status: 'down',
      message: 'publishing has failed since 2026-11-27T10:00:00.000Z: This server is not the leader for that topic-partition',
      waiting: 3,
    });
  });

  it('stays ready when a failed round left nothing waiting, and on a standby instance', async () => {
    const failing = { since: '2026-11-27T10:00:00.000Z', message: 'a transient error' };
    expect((await ready(runtime({ relay: { leader: true, published: 12, waiting: 0, failing } }))).status).toBe(200);
    expect((await ready(runtime({ relay: { leader: false, published: 12, waiting: 5 } }))).status).toBe(200);
  });
});

describe('serving', () => {
  it('takes traffic through a Kafka outage: commands go to the store, which is the outbox', async () => {
    const down = { ...runtime(), kafkaStatus: async () => Promise.reject(new Error('Connection refused')), consumers: () => ({ 'immigration-policies': { running: false, restarts: 1 } }) };
    expect((await ready(down, 'ready')).status).toBe(503);
    const { status, body } = await ready(down, 'serving');
    expect(status).toBe(200);
    expect(Object.keys(body.details)).toEqual(['service', 'postgres']);
  });

  it('stops taking traffic from the moment shutdown begins', async () => {
    const { status, body } = await ready({ ...runtime(), shuttingDown: true }, 'serving');
    expect(status).toBe(503);
    expect(body.error.service).toEqual({ status: 'down', message: 'shutting down' });
  });
});
