import { existsSync } from 'node:fs';
import path from 'node:path';
import { INestApplication, Logger, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsFilter, interlinkLogger } from '@interlink/agency-kit';
import { CONSOLE_API, TaskForceConsoleModule } from './app.module';
import { ConsoleConfig } from './config';

/**
 * The page may load nothing from elsewhere: scripts, styles, fonts and images come from this
 * service, and it talks only to this service's API.
 */
export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * The console as a Nest application: strict validation, problem+json errors, OpenAPI at /docs,
 * and the built web page (config.uiDir) at /. Not yet listening.
 */
export async function createConsoleApp(config: ConsoleConfig, logger?: LogLevel[] | false): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(TaskForceConsoleModule.forRoot(config), { logger: interlinkLogger(logger), bodyParser: false });
  app.useBodyParser('json', { limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true, stopAtFirstError: false }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  if (existsSync(path.join(config.uiDir, 'index.html'))) {
    app.useStaticAssets(config.uiDir, {
      index: 'index.html',
      setHeaders: (res, file) => {
        for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) res.setHeader(name, value);
        // Built assets carry a content hash in their names; the page itself must always be fresh.
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    new Logger('Console').warn(`the web page is not built (no ${path.join(config.uiDir, 'index.html')}): run npm run build -w @interlink/task-force-console; the API works without it`);
  }
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`${CONSOLE_API.title} (${config.agencyId})`)
      .setDescription(CONSOLE_API.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A task-force token from the configured issuer (npm run token in development)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
