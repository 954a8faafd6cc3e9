import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { Public, Roles } from '@interlink/agency-kit';
import { ConsoleConfig } from './config';
import { IntakeRuntime } from './intake/intake.runtime';
import { ConsoleProjector } from './read-model/projector';
import { CONSOLE_CONFIG } from './tokens';

export class ReplayParkedDto {
  @ApiPropertyOptional({ description: 'Only this stream; all held streams when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  streamId?: string;
}

export class SessionView {
  @ApiProperty() user!: string;
  @ApiProperty() agency!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ description: 'When the token expires' }) expiresAt!: string;
}

/** The signed-in user, liveness, parked events and the rebuild of the dashboards' tables. */
@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    private readonly intake: IntakeRuntime,
    private readonly projector: ConsoleProjector,
    private readonly dataSource: DataSource,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness of the service' })
  health() {
    return { status: 'ok', agency: this.config.agencyId, role: 'task-force' };
  }

  @Get('api/session')
  @ApiOperation({ summary: 'Who the token is for: the page checks a token with this when you sign in' })
  session(@Req() request: { user: { sub: string; agency: string; roles: string[]; exp: number } }): SessionView {
    const { sub, agency, roles, exp } = request.user;
    return { user: sub, agency, roles, expiresAt: new Date(exp * 1000).toISOString() };
  }

  @Get('admin/parked')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Events from partners that could not be shown, with the reason, oldest first' })
  parked() {
    return this.intake.consumer.listParked();
  }

  @Post('admin/parked/replay')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply parked events again, each stream in order (after a fix)' })
  replay(@Body() body: ReplayParkedDto) {
    return this.intake.consumer.replayParked({ streamId: body.streamId });
  }

  @Post('admin/read-model/rebuild')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: "Rebuild the dashboards' and dossiers' tables from the feed, in one transaction, while the service keeps serving" })
  async rebuild() {
    return { replayed: await this.projector.rebuild(this.dataSource) };
  }
}
