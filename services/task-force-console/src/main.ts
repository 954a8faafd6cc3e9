import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createConsoleApp } from './bootstrap';
import { consoleConfigFromEnv } from './config';

async function main(): Promise<void> {
  const config = consoleConfigFromEnv();
  const app = await createConsoleApp(config);
  await app.listen(config.port, config.host);
  new Logger('Interlink').log(`${config.agencyId} console on http://${config.host}:${config.port} (API docs: /docs)`);
}

main().catch((error: Error) => {
  console.error(`task-force console failed to start: ${error.message}`);
  process.exit(1);
});
