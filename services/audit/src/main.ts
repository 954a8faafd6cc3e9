import 'reflect-metadata';
import { LogLevel, Logger } from '@nestjs/common';
import { createHttpApp, serveApiDocs } from '@interlink/agency-kit';
import { AUDIT_API, AuditModule } from './audit.module';
import { AuditConfig, auditConfigFromEnv } from './config';

export async function createAuditApp(config: AuditConfig, logger?: LogLevel[]) {
  const app = await createHttpApp(AuditModule.forRoot(config), logger);
  serveApiDocs(app, AUDIT_API);
  return app;
}

if (require.main === module) {
  const config = auditConfigFromEnv();
  createAuditApp(config)
    .then(async (app) => {
      await app.listen(config.port, config.host);
      new Logger('Interlink').log(`audit listening on http://${config.host}:${config.port} (API docs: /docs)`);
    })
    .catch((error: Error) => {
      console.error(`audit service failed to start: ${error.message}`);
      process.exit(1);
    });
}
