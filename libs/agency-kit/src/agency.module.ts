import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgencyRole, EventRegistry, interlinkRegistry } from '@interlink/contracts';
import { EventStore, Migration, ensureDatabase, eventStoreMigrations, migrate, poolOptions } from '@interlink/event-store';
import { createKafka, messagingMigrations } from '@interlink/messaging';
import { Projection, projectionMigrations } from '@interlink/projections';
import { AdminController } from './admin.controller';
import { HealthController, PROJECTION_STATUS, READINESS } from './health.controller';
import { PersonalDataController } from './personal-data.controller';
import { AGENCY_POLICIES, AGENCY_PROJECTIONS, AgencyRuntime, policyConsumerName } from './agency-runtime';
import { CommandService } from './command.service';
import { AccessLogInterceptor } from './access-log.interceptor';
import { AgencyAuthGuard } from './auth.guard';
import { AgencyConfig, agencyConfigFromEnv } from './config';
import { Policy } from './policies';
import { ObservabilityModule } from './observability.module';
import { agencyKitMigrations } from './schema';
import { AGENCY_CONFIG, KAFKA } from './tokens';

export interface AgencyModuleOptions {
  role: AgencyRole;
  /** Read from the environment when absent. */
  config?: AgencyConfig;
  /** TypeORM entities of the service's read models. */
  entities: Function[];
  projections: Projection[];
  policies: Policy[];
}

/** Every migration an agency database needs for the shared mechanisms. */
export const agencyMigrations: Migration[] = [...eventStoreMigrations, ...messagingMigrations, ...projectionMigrations, ...agencyKitMigrations];

/**
 * One agency's infrastructure: its database (created and migrated at start), event store,
 * Kafka client, idempotent command service, and the runtime of projections, relay and consumer.
 */
@Global()
@Module({})
export class AgencyModule {
  static forRoot(options: AgencyModuleOptions): DynamicModule {
    const config = options.config ?? agencyConfigFromEnv(options.role);
    return {
      module: AgencyModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            url: config.databaseUrl,
            entities: options.entities,
            synchronize: false,
            logging: false,
            extra: poolOptions({ max: config.poolSize, applicationName: `interlink-${config.agencyId}`, statementCache: config.statementCache }),
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            await ensureDatabase(config.databaseUrl);
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            await migrate(dataSource, agencyMigrations);
            return dataSource;
          },
        }),
        // Readiness probes; their errors are logged by the probe's caller, not here.
        TerminusModule.forRoot({ logger: false }),
        ObservabilityModule.forRoot({ agencyId: config.agencyId, settings: config.observability, consumer: policyConsumerName(config.agencyId), parks: true }),
      ],
      controllers: [AdminController, HealthController, PersonalDataController],
      providers: [
        { provide: AGENCY_CONFIG, useValue: config },
        { provide: READINESS, useExisting: AgencyRuntime },
        { provide: PROJECTION_STATUS, inject: [AgencyRuntime], useFactory: (runtime: AgencyRuntime) => runtime.projections },
        { provide: EventRegistry, useValue: interlinkRegistry() },
        { provide: KAFKA, useFactory: () => createKafka(config.kafka) },
        { provide: AGENCY_PROJECTIONS, useValue: options.projections },
        { provide: AGENCY_POLICIES, useValue: options.policies },
        {
          provide: EventStore,
          inject: [DataSource, EventRegistry],
          useFactory: (dataSource: DataSource, registry: EventRegistry) => new EventStore(dataSource, registry, config.agencyId),
        },
        CommandService,
        AgencyRuntime,
        { provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor },
        {
          provide: APP_GUARD,
          inject: [Reflector],
          useFactory: (reflector: Reflector) => new AgencyAuthGuard(reflector, config.auth, config.agencyId),
        },
      ],
      exports: [AGENCY_CONFIG, EventRegistry, EventStore, CommandService, AgencyRuntime, KAFKA],
    };
  }
}
