import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AgencyConfig } from './config';
import { ApiDescription, createHttpApp, serveApiDocs } from './http-app';
import { AGENCY_CONFIG } from './tokens';

type EntryModule = Parameters<typeof NestFactory.create>[0];

export interface AgencyAppOptions extends ApiDescription {
  logger?: LogLevel[] | false;
}

/**
 * A configured Nest application for an agency module: the HTTP side every service shares (see
 * createHttpApp) and its OpenAPI document at /docs (JSON at /docs-json), titled with the agency.
 * Not yet listening: call `app.listen` (or use `runAgencyService`).
 */
export async function createAgencyApp(module: EntryModule, options: AgencyAppOptions): Promise<INestApplication> {
  const app = await createHttpApp(module, options.logger);
  const config = app.get<AgencyConfig>(AGENCY_CONFIG);
  serveApiDocs(app, { title: `${options.title} (${config.agencyId})`, description: options.description });
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
