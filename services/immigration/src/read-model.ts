import { Projection } from '@interlink/projections';
import { AlertRow } from './alerts/alert.entity';
import { alertsProjection } from './alerts/alerts.projection';
import { CrossingRow } from './crossings/crossing.entity';
import { crossingsProjection } from './crossings/crossings.projection';
import { ExpectedReturnRow } from './returns/expected-return.entity';
import { returnsProjection } from './returns/returns.projection';
import { WatchlistRow } from './watchlist/watchlist.entity';
import { watchlistProjection } from './watchlist/watchlist.projection';

/** The agency's read models: its service keeps them live, and the auditors replay them with this same code. */
export const IMMIGRATION_READ_MODEL: { entities: Function[]; projections: Projection[] } = {
  entities: [WatchlistRow, CrossingRow, AlertRow, ExpectedReturnRow],
  projections: [watchlistProjection, crossingsProjection, alertsProjection, returnsProjection],
};
