import { Controller, DynamicModule, Get, Header, Inject, Injectable, MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import {
  ObservabilitySettings,
  ScrapeSource,
  addScrapeSource,
  cachedFor,
  collectProcessMetrics,
  configureLogging,
  flushTracing,
  metricsRegistry,
  setupTracing,
} from '@interlink/observability';
import { Public } from './auth.guard';
import { READINESS, Readiness } from './health.controller';
import { requestTelemetry } from './request-telemetry';

export interface ObservabilityOptions {
  agencyId: string;
  settings: ObservabilitySettings;
  /** The service's partner-event consumer (its Kafka group): its lag and parked events are exposed. */
  consumer?: string;
  /** Whether the consumer parks in `interlink.parked_events` (EventConsumer does; the auditors' archive keeps everything). */
  parks?: boolean;
}

const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');

/** Figures read from the brokers and the database at scrape time are kept this long, so a scrape storm costs one look. */
const SCRAPE_CACHE_MS = 5000;

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Public()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format): events appended, published and consumed, consumer and relay lag, parked events, HTTP latency, the process' })
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

/**
 * Sets up the process's traces from the service's settings, and measures at each scrape
 * what only the brokers and the database know: consumer lag (as readiness does), the relay's
 * backlog, parked events.
 */
@Injectable()
export class ObservabilityRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private removeSource?: () => void;

  constructor(
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    const { settings } = options;
    setupTracing({ serviceName: settings.serviceName, exporters: settings.tracesExporters, otlpTracesEndpoint: settings.otlpTracesEndpoint });
    collectProcessMetrics();
  }

  onApplicationBootstrap(): void {
    const readiness = this.moduleRef.get<Readiness>(READINESS, { strict: false });
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    const { consumer, parks, agencyId } = this.options;
    const source: ScrapeSource = {};
    if (consumer) {
      source.consumerLag = cachedFor(SCRAPE_CACHE_MS, async () => (await readiness.lag()).map(({ topic, partition, lag }) => ({ consumer, topic, partition, lag })));
    }
    if (readiness.relayStatus) {
      source.relay = cachedFor(SCRAPE_CACHE_MS, async () => {
        const { waiting, published } = await readiness.relayStatus!();
        return { agency: agencyId, waiting, published };
      });
    }
    if (consumer && parks) {
      source.parked = cachedFor(SCRAPE_CACHE_MS, async () => {
        const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM interlink.parked_events WHERE consumer = $1 AND resolved_at IS NULL`, [consumer]);
        return [{ consumer, count }];
      });
    }
    this.removeSource = addScrapeSource(source);
  }

  async onApplicationShutdown(): Promise<void> {
    this.removeSource?.();
    await flushTracing();
  }
}

/**
 * What every service exposes and records: `GET /metrics` (no token), JSON logs, traces, and for
 * each HTTP request its latency, a correlation id and a server span (see request-telemetry.ts).
 */
@Module({})
export class ObservabilityModule implements NestModule {
  constructor(@Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions) {}

  static forRoot(options: ObservabilityOptions): DynamicModule {
    // Now, not when the application is created: Nest logs its first lines before any provider exists.
    const { settings, agencyId } = options;
    configureLogging({ service: settings.serviceName, agencyId, level: settings.logLevel, format: settings.logFormat });
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [{ provide: OBSERVABILITY_OPTIONS, useValue: options }, ObservabilityRuntime],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestTelemetry(this.options.agencyId)).forRoutes('*');
  }
}
