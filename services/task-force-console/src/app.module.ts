import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgencyAuthGuard, HealthController, ObservabilityModule, READINESS } from '@interlink/agency-kit';
import { EventRegistry, interlinkRegistry } from '@interlink/contracts';
import { createKafka } from '@interlink/messaging';
import { ConsoleConfig, consoleConfigFromEnv } from './config';
import { DashboardController } from './dashboard/dashboard.controller';
import { DashboardService } from './dashboard/dashboard.service';
import { DossierController } from './dossier/dossier.controller';
import { DossierService } from './dossier/dossier.service';
import { FeedController } from './feed/feed.controller';
import { FeedLive } from './feed/feed.live';
import { FeedService } from './feed/feed.service';
import { IntakeRuntime, consumerName } from './intake/intake.runtime';
import { OperationsController } from './operations.controller';
import { openConsoleDatabase } from './read-model/database';
import { ConsoleProjector } from './read-model/projector';
import { CONSOLE_CONFIG, CONSOLE_KAFKA } from './tokens';

/**
 * The task force's console: it reads what partner agencies release to the task force, keeps it
 * in its own database, and serves the live feed, the dashboards and the dossiers, with the web
 * page, to users holding a task-force token.
 */
@Module({})
export class TaskForceConsoleModule {
  static forRoot(given?: ConsoleConfig): DynamicModule {
    const config = given ?? consoleConfigFromEnv();
    return {
      module: TaskForceConsoleModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres', url: config.databaseUrl }),
          dataSourceFactory: () => openConsoleDatabase(config),
        }),
        TerminusModule.forRoot({ logger: false }),
        ObservabilityModule.forRoot({ agencyId: config.agencyId, settings: config.observability, consumer: consumerName(config.agencyId), parks: true }),
      ],
      controllers: [FeedController, DashboardController, DossierController, OperationsController, HealthController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CONSOLE_KAFKA, useFactory: () => createKafka(config.kafka) },
        { provide: EventRegistry, useValue: interlinkRegistry() },
        {
          provide: ConsoleProjector,
          inject: [EventRegistry],
          useFactory: (registry: EventRegistry) => new ConsoleProjector(config, registry, consumerName(config.agencyId)),
        },
        IntakeRuntime,
        { provide: READINESS, useExisting: IntakeRuntime },
        FeedService,
        FeedLive,
        DashboardService,
        DossierService,
        {
          provide: APP_GUARD,
          inject: [Reflector],
          useFactory: (reflector: Reflector) => new AgencyAuthGuard(reflector, config.auth, config.agencyId),
        },
      ],
    };
  }
}

export const CONSOLE_API = {
  title: 'Interlink task-force console',
  description:
    'What the police, immigration and foreign-ministry services release to the regional task force: the live feed (also as server-sent events, ' +
    'resumable with Last-Event-ID), dashboards (victims, alerts per checkpoint, suspects, consumer lag) and dossiers across agencies. ' +
    'Personal data arrives redacted unless the task force was granted it, and is shown as it arrived. The web page is served at /.',
};
