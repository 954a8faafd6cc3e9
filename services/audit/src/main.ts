import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { LogLevel, Logger, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsFilter, interlinkLogger } from '@interlink/agency-kit';
import { AUDIT_API, AuditModule } from './audit.module';
import { AuditConfig, auditConfigFromEnv } from './config';

export async function createAuditApp(config: AuditConfig, logger?: LogLevel[]) {
  const app = await NestFactory.create(AuditModule.forRoot(config), { logger: interlinkLogger(logger) });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(AUDIT_API.title).setDescription(AUDIT_API.description).setVersion('1').addBearerAuth().build()));
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
