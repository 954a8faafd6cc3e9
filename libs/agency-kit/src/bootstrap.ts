import { INestApplication, Logger, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AgencyConfig } from './config';
import { interlinkLogger } from './nest-logger';
import { ProblemDetailsFilter } from './problem-details.filter';
import { AGENCY_CONFIG } from './tokens';

type EntryModule = Parameters<typeof NestFactory.create>[0];

export interface AgencyAppOptions {
  title: string;
  description: string;
  logger?: LogLevel[] | false;
}

/**
 * A configured Nest application for an agency module: strict validation (unknown fields
 * rejected), problem+json errors, a 1 MB body limit, OpenAPI at /docs (JSON at /docs-json).
 * Not yet listening: call `app.listen` (or use `runAgencyService`).
 */
export async function createAgencyApp(module: EntryModule, options: AgencyAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { logger: interlinkLogger(options.logger), bodyParser: false });
  app.useBodyParser('json', { limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const config = app.get<AgencyConfig>(AGENCY_CONFIG);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`${options.title} (${config.agencyId})`)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token for this agency from the configured issuer (npm run token in development)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/** Starts an agency service on its configured host and port; the entry point of each `main.ts`. */
export async function runAgencyService(module: EntryModule, options: AgencyAppOptions): Promise<INestApplication> {
  const app = await createAgencyApp(module, options);
  const config = app.get<AgencyConfig>(AGENCY_CONFIG);
  await app.listen(config.port, config.host);
  new Logger('Interlink').log(`${config.agencyId} listening on http://${config.host}:${config.port} (API docs: /docs)`);
  return app;
}
