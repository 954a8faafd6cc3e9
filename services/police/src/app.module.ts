import { DynamicModule, Module } from '@nestjs/common';
import { AgencyConfig, AgencyModule } from '@interlink/agency-kit';
import { RaidRow } from './raids/raid.entity';
import { RaidsController } from './raids/raids.controller';
import { raidsProjection } from './raids/raids.projection';
import { sightingsPolicy } from './sightings/sightings.policy';
import { SightingRow, SuspectRow } from './suspects/suspect.entity';
import { SuspectsController } from './suspects/suspects.controller';
import { suspectsProjection } from './suspects/suspects.projection';
import { SyndicateRow } from './syndicates/syndicate.entity';
import { SyndicatesController } from './syndicates/syndicates.controller';
import { syndicatesProjection } from './syndicates/syndicates.projection';

@Module({})
export class PoliceModule {
  static forRoot(config?: AgencyConfig): DynamicModule {
    return {
      module: PoliceModule,
      imports: [
        AgencyModule.forRoot({
          role: 'police',
          config,
          entities: [SuspectRow, SightingRow, SyndicateRow, RaidRow],
          projections: [suspectsProjection, syndicatesProjection, raidsProjection],
          policies: [sightingsPolicy],
        }),
      ],
      controllers: [SuspectsController, SyndicatesController, RaidsController],
    };
  }
}

export const POLICE_API = {
  title: 'Interlink police service',
  description: 'Syndicates, suspects, raids and rescues. Suspects are released to immigration and the foreign ministry; border alerts come back as sightings.',
};
