import 'reflect-metadata';
import { runAgencyService } from '@interlink/agency-kit';
import { POLICE_API, PoliceModule } from './app.module';

runAgencyService(PoliceModule.forRoot(), POLICE_API).catch((error: Error) => {
  console.error(`police service failed to start: ${error.message}`);
  process.exit(1);
});
