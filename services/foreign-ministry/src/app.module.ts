import { DynamicModule, Module } from '@nestjs/common';
import { AgencyConfig, AgencyModule } from '@interlink/agency-kit';
import { FOREIGN_MINISTRY_READ_MODEL } from './read-model';
import { CasesController } from './cases/cases.controller';
import { returnsPolicy } from './cases/returns.policy';
import { rescuesPolicy } from './reconciliation/rescues.policy';
import { suspectsPolicy } from './reconciliation/suspects.policy';
import { ReportsController } from './reports/reports.controller';

@Module({})
export class ForeignMinistryModule {
  static forRoot(config?: AgencyConfig): DynamicModule {
    return {
      module: ForeignMinistryModule,
      imports: [
        AgencyModule.forRoot({
          role: 'foreign-ministry',
          config,
          ...FOREIGN_MINISTRY_READ_MODEL,
          policies: [rescuesPolicy, suspectsPolicy, returnsPolicy],
        }),
      ],
      controllers: [CasesController, ReportsController],
    };
  }
}

export const FOREIGN_MINISTRY_API = {
  title: 'Interlink foreign ministry service',
  description:
    'Victim cases from report to return home. Police rescues are reconciled with open reports and suspects screened against them; ' +
    'repatriations are released to immigration, whose border records close the cases. Publishes the statistics at /reports/summary.',
};
