import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Public, Roles } from './auth.guard';
import { AgencyConfig } from './config';
import { AgencyRuntime } from './agency-runtime';
import { AGENCY_CONFIG } from './tokens';

export class ReplayParkedDto {
  @ApiPropertyOptional({ description: 'Only this stream; all held streams when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  streamId?: string;
}

export class HealthView {
  @ApiProperty() status!: 'ok';
  @ApiProperty() agency!: string;
  @ApiProperty() role!: string;
}

/** Operations every agency service offers: parked events, projection rebuilds, liveness. */
@ApiTags('operations')
@Controller()
export class AdminController {
  constructor(
    private readonly runtime: AgencyRuntime,
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness of the service' })
  health(): HealthView {
    return { status: 'ok', agency: this.config.agencyId, role: this.config.role };
  }

  @Get('admin/parked')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Events from partners that could not be applied, with the reason, oldest first' })
  parked() {
    return this.runtime.consumer.listParked();
  }

  @Post('admin/parked/replay')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply parked events again, each stream in order (after a fix)' })
  replay(@Body() body: ReplayParkedDto) {
    return this.runtime.consumer.replayParked({ streamId: body.streamId });
  }

  @Post('admin/projections/:name/rebuild')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rebuild a read model from the start of the log while the service keeps serving' })
  async rebuild(@Param('name') name: string) {
    try {
      return { projection: name, replayed: await this.runtime.projections.rebuild(name) };
    } catch (error) {
      if ((error as Error).message.startsWith(`no projection "${name}"`)) throw new NotFoundException((error as Error).message);
      throw error;
    }
  }
}
