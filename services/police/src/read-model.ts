import { Projection } from '@interlink/projections';
import { RaidRow } from './raids/raid.entity';
import { raidsProjection } from './raids/raids.projection';
import { SightingRow, SuspectRow } from './suspects/suspect.entity';
import { suspectsProjection } from './suspects/suspects.projection';
import { SyndicateRow } from './syndicates/syndicate.entity';
import { syndicatesProjection } from './syndicates/syndicates.projection';

/** The agency's read models: its service keeps them live, and the auditors replay them with this same code. */
export const POLICE_READ_MODEL: { entities: Function[]; projections: Projection[] } = {
  entities: [SuspectRow, SightingRow, SyndicateRow, RaidRow],
  projections: [suspectsProjection, syndicatesProjection, raidsProjection],
};
