import { DynamicModule, Module } from '@nestjs/common';
import { AgencyConfig, AgencyModule } from '@interlink/agency-kit';
import { IMMIGRATION_READ_MODEL } from './read-model';
import { AlertsController } from './alerts/alerts.controller';
import { CrossingsController } from './crossings/crossings.controller';
import { ReturnsController } from './returns/returns.controller';
import { returnsPolicy } from './returns/returns.policy';
import { WatchlistController } from './watchlist/watchlist.controller';
import { watchlistPolicy } from './watchlist/watchlist.policy';

@Module({})
export class ImmigrationModule {
  static forRoot(config?: AgencyConfig): DynamicModule {
    return {
      module: ImmigrationModule,
      imports: [
        AgencyModule.forRoot({
          role: 'immigration',
          config,
          ...IMMIGRATION_READ_MODEL,
          policies: [watchlistPolicy, returnsPolicy],
        }),
      ],
      controllers: [CrossingsController, AlertsController, WatchlistController, ReturnsController],
    };
  }
}

export const IMMIGRATION_API = {
  title: 'Interlink immigration service',
  description:
    'Watchlist (fed by police suspects), border crossings matched against it (passport, or name and birth date), alerts to police, and the return of rescued victims reported to the foreign ministry.',
};
