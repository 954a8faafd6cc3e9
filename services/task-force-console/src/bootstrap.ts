import { existsSync } from 'node:fs';
import path from 'node:path';
import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { createHttpApp, serveApiDocs } from '@interlink/agency-kit';
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
 * The console as a Nest application: the HTTP side every service shares (see createHttpApp),
 * OpenAPI at /docs, and the built web page (config.uiDir) at /. Not yet listening.
 */
export async function createConsoleApp(config: ConsoleConfig, logger?: LogLevel[] | false): Promise<INestApplication> {
  const app = await createHttpApp(TaskForceConsoleModule.forRoot(config), logger);
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
  serveApiDocs(app, { title: `${CONSOLE_API.title} (${config.agencyId})`, description: CONSOLE_API.description });
  return app;
}
