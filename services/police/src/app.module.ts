import { DynamicModule, Module } from '@nestjs/common';
import { AgencyConfig, AgencyModule } from '@interlink/agency-kit';
import { POLICE_READ_MODEL } from './read-model';
import { RaidsController } from './raids/raids.controller';
import { sightingsPolicy } from './sightings/sightings.policy';
import { SuspectsController } from './suspects/suspects.controller';
import { SyndicatesController } from './syndicates/syndicates.controller';

@Module({})
export class PoliceModule {
  static forRoot(config?: AgencyConfig): DynamicModule {
    return {
      module: PoliceModule,
      imports: [
        AgencyModule.forRoot({
          role: 'police',
          config,
          ...POLICE_READ_MODEL,
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
