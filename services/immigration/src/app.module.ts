import { DynamicModule, Module } from '@nestjs/common';
import { AgencyConfig, AgencyModule } from '@interlink/agency-kit';
import { AlertRow } from './alerts/alert.entity';
import { AlertsController } from './alerts/alerts.controller';
import { alertsProjection } from './alerts/alerts.projection';
import { CrossingRow } from './crossings/crossing.entity';
import { CrossingsController } from './crossings/crossings.controller';
import { crossingsProjection } from './crossings/crossings.projection';
import { ExpectedReturnRow } from './returns/expected-return.entity';
import { ReturnsController } from './returns/returns.controller';
import { returnsPolicy } from './returns/returns.policy';
import { returnsProjection } from './returns/returns.projection';
import { WatchlistController } from './watchlist/watchlist.controller';
import { WatchlistRow } from './watchlist/watchlist.entity';
import { watchlistPolicy } from './watchlist/watchlist.policy';
import { watchlistProjection } from './watchlist/watchlist.projection';

@Module({})
export class ImmigrationModule {
  static forRoot(config?: AgencyConfig): DynamicModule {
    return {
      module: ImmigrationModule,
      imports: [
        AgencyModule.forRoot({
          role: 'immigration',
          config,
          entities: [WatchlistRow, CrossingRow, AlertRow, ExpectedReturnRow],
          projections: [watchlistProjection, crossingsProjection, alertsProjection, returnsProjection],
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
