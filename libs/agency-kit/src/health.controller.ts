import { Controller, Get, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConsumerHealth, PartitionLag, RelayStatus } from '@interlink/messaging';
import { ProjectionFailure } from '@interlink/projections';
import { Public } from './auth.guard';

/** What a service tells its readiness probe; every service with a Kafka consumer provides it as READINESS. */
export interface Readiness {
  /** True from the moment shutdown begins. */
  readonly shuttingDown: boolean;
  /** Throws when the brokers do not answer; `running` is whether the service's Kafka side runs. */
  kafkaStatus(): Promise<{ brokers: number; controller: number | null; running: boolean }>;
  /** How far its consumer is behind, per partition. */
  lag(): Promise<PartitionLag[]>;
  /** Each of its Kafka consumers by name: whether it is in its group, its crashes and restarts. */
  consumers(): Record<string, ConsumerHealth>;
  /** How its relay publishes, where the service publishes a log of its own. */
  relayStatus?(): Promise<RelayStatus>;
}
export const READINESS = Symbol('READINESS');

/** The projections of a service that has any (the agency services): readiness reports those that fail. */
export interface ProjectionStatus {
  failures(): ProjectionFailure[];
}
export const PROJECTION_STATUS = Symbol('PROJECTION_STATUS');

/** How long a readiness probe waits for Postgres or Kafka before it calls them down. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Readiness for orchestrators and load balancers (`/health` is liveness): Postgres answers a
 * ping, Kafka's brokers answer, every consumer is in its group (a crashed one is reported with
 * its error while it is restarted), how far the consumer is behind its partners' topics, and the
 * relay publishes (what waits, and its error while publishing fails). 503 while any of that is
 * down, and from the moment shutdown begins.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS) private readonly runtime: Readiness,
    @Optional() @Inject(PROJECTION_STATUS) private readonly projections?: ProjectionStatus,
  ) {}

  /**
   * Whether to send this instance traffic, for a load balancer's readiness probe: Postgres answers
   * and shutdown has not begun. Kafka is left out on purpose: commands are recorded in the store,
   * which is the outbox, so an agency keeps taking alerts through a broker outage and the relay
   * publishes them when Kafka is back; `/health/ready` says what is behind.
   */
  @Get('serving')
  @Public()
  @HealthCheck({ swaggerDocumentation: true })
  @ApiOperation({ summary: 'Serving: Postgres answers and shutdown has not begun (Kafka is not needed to take commands); 503 otherwise' })
  async serving(@Res({ passthrough: true }) response: { status(code: number): unknown }) {
    return this.answer(response, [() => this.serviceIndicator(), () => this.postgresIndicator()]);
  }

  @Get('ready')
  @Public()
  @HealthCheck({ swaggerDocumentation: true })
  @ApiOperation({ summary: 'Readiness: Postgres, Kafka, the relay and consumer, and the consumer lag; 503 when not ready' })
  async ready(@Res({ passthrough: true }) response: { status(code: number): unknown }) {
    return this.answer(response, [
      () => this.serviceIndicator(),
      () => this.postgresIndicator(),
      () =>
        this.indicators
          .check('kafka')
          .attempt(async () => {
            const status = await this.runtime.kafkaStatus();
            if (!status.running) throw new Error('the brokers answer, but the relay and consumer are still starting');
            return status;
          })
          .withTimeout(PROBE_TIMEOUT_MS),
      async () => {
        const session = this.indicators.check('consumer');
        const consumers = this.runtime.consumers();
        const stopped = Object.entries(consumers).filter(([, health]) => !health.running);
        if (stopped.length > 0) {
          const why = stopped.map(([name, { lastCrash }]) =>
            lastCrash ? `${name} crashed at ${lastCrash.at} (${lastCrash.message}) and is being restarted by ${lastCrash.restartedBy}` : `${name} has not joined its group yet`);
          return session.down({ message: `not consuming: ${why.join('; ')}`, consumers });
        }
        try {
          const partitions = await this.runtime.lag();
          return session.up({ lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions, consumers });
        } catch (error) {
          return session.down({ message: `the consumer lag is unknown: ${(error as Error).message}`, consumers });
        }
      },
      ...(this.runtime.relayStatus ? [() => this.relayIndicator(this.runtime.relayStatus!())] : []),
      () => {
        const session = this.indicators.check('projections');
        const failing = this.projections?.failures() ?? [];
        if (failing.length === 0) return session.up();
        return session.down({
          message: `${failing.map((f) => f.projection).join(', ')} cannot apply the log; read models are behind until the cause is fixed`,
          failing: failing.map((f) => ({ projection: f.projection, event: f.event, reason: f.reason, attempts: f.attempts, since: f.since.toISOString() })),
        });
      },
    ]);
  }

  private serviceIndicator() {
    const session = this.indicators.check('service');
    return this.runtime.shuttingDown ? session.down('shutting down') : session.up();
  }

  private postgresIndicator() {
    return this.postgres.pingCheck('postgres').withTimeout(PROBE_TIMEOUT_MS);
  }

  private async answer(response: { status(code: number): unknown }, checks: Parameters<HealthCheckService['check']>[0]) {
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Terminus reports what is down in the exception's body: answer 503 with that body as it is.
      if (error instanceof ServiceUnavailableException) {
        response.status(503);
        return error.getResponse();
      }
      throw error;
    }
  }

  /** Down while publishing fails with events waiting; a standby instance reports the leader's progress. */
  private async relayIndicator(status: Promise<RelayStatus>) {
    const session = this.indicators.check('relay');
    try {
      const relay = await withTimeout(status, PROBE_TIMEOUT_MS, 'the relay status');
      if (relay.failing && relay.waiting > 0) {
        return session.down({ message: `publishing has failed since ${relay.failing.since}: ${relay.failing.message}`, ...relay });
      }
      return session.up({ ...relay });
    } catch (error) {
      return session.down({ message: `the relay's progress is unknown: ${(error as Error).message}` });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
