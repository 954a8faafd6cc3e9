import 'reflect-metadata';
import { runAgencyService } from '@interlink/agency-kit';
import { IMMIGRATION_API, ImmigrationModule } from './app.module';

runAgencyService(ImmigrationModule.forRoot(), IMMIGRATION_API).catch((error: Error) => {
  console.error(`immigration service failed to start: ${error.message}`);
  process.exit(1);
});
