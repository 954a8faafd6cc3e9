import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertsDashboard, DashboardService, LagDashboard, SuspectsDashboard, VictimsDashboard } from './dashboard.service';

@ApiTags('dashboards')
@Controller('api/dashboard')
export class DashboardController {
  constructor(private readonly dashboards: DashboardService) {}

  @Get('victims')
  @ApiOperation({
    summary: 'Victims rescued, repatriated and still tracked, by country and month by month (from the ministry\'s cases), and persons freed in police rescues',
    description:
      'rescued: cases with a rescue on record; repatriated: back home; stillTracked: open cases (not home, not closed). Persons found to be suspects are not counted. ' +
      'overTime: rescues and returns in each month, and cases still tracked at its end.',
  })
  victims(): Promise<VictimsDashboard> {
    return this.dashboards.victims();
  }

  @Get('alerts')
  @ApiOperation({ summary: 'Border alerts per checkpoint: raised (open), confirmed, dismissed' })
  alerts(): Promise<AlertsDashboard> {
    return this.dashboards.alerts();
  }

  @Get('suspects')
  @ApiOperation({ summary: 'Suspects by status and by role' })
  suspects(): Promise<SuspectsDashboard> {
    return this.dashboards.suspects();
  }

  @Get('lag')
  @ApiOperation({ summary: "Consumer lag per feed: for each topic partition, the console's committed offset against the high watermark (from the brokers)" })
  lag(): Promise<LagDashboard> {
    return this.dashboards.lag();
  }
}
