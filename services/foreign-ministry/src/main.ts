import 'reflect-metadata';
import { runAgencyService } from '@interlink/agency-kit';
import { FOREIGN_MINISTRY_API, ForeignMinistryModule } from './app.module';

runAgencyService(ForeignMinistryModule.forRoot(), FOREIGN_MINISTRY_API).catch((error: Error) => {
  console.error(`foreign-ministry service failed to start: ${error.message}`);
  process.exit(1);
});
