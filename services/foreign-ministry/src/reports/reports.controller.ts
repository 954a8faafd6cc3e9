import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Summary } from './summary';
import { querySummary } from './summary.query';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('summary')
  @ApiOperation({
    summary: 'The statistics the ministry publishes, reproducible from its event history',
    description:
      'rescuedAndReturned: victims home (persons found to be suspects are never counted); stillTracked: open cases (not home, not closed); ' +
      'total: the two together; byCountry: the same by last known, located or rescued country ("unknown" when none); ' +
      'byMonth: reports, rescues and returns by calendar month (YYYY-MM); asOf: time of the latest case event counted.',
  })
  summary(): Promise<Summary> {
    return this.dataSource.transaction('REPEATABLE READ', (manager) => querySummary(manager));
  }
}
