import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiHeader } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { CommandDto, CommandService, RequestUser, PersonalData } from '@interlink/agency-kit';
import { ALERT_RELEASE } from './release';
import { AlertCommand, alertDecider, alertStream } from './alert.decider';
import { AlertRow } from './alert.entity';

export class ConfirmAlertDto extends CommandDto {
  @ApiPropertyOptional({ example: 'passport and face match; escorted to police' }) @IsOptional() @IsString() @Length(1, 500) note?: string;
}

export class DismissAlertDto extends CommandDto {
  @ApiProperty({ example: 'different person: namesake with another passport' }) @IsString() @Length(1, 500) reason!: string;
}

export class AlertQuery {
  @ApiPropertyOptional({ enum: ['open', 'confirmed', 'dismissed'] }) @IsOptional() @IsIn(['open', 'confirmed', 'dismissed']) status?: 'open' | 'confirmed' | 'dismissed';
}

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
  ) {}

  @Post(':alertId/confirm')
  @ApiOperation({ summary: 'An officer confirms a border alert' })
  confirm(@Param('alertId', ParseUUIDPipe) alertId: string, @Body() dto: ConfirmAlertDto, @RequestUser() user: string) {
    return this.run(dto, user, 'confirm-alert', alertId, { type: 'confirm', ...(dto.note ? { note: dto.note } : {}) });
  }

  @Post(':alertId/dismiss')
  @ApiOperation({ summary: 'An officer dismisses a border alert; police withdraw the sighting' })
  dismiss(@Param('alertId', ParseUUIDPipe) alertId: string, @Body() dto: DismissAlertDto, @RequestUser() user: string) {
    return this.run(dto, user, 'dismiss-alert', alertId, { type: 'dismiss', reason: dto.reason });
  }

  @Get()
  @PersonalData('border-alerts')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Border alerts, newest first, with match reason and score' })
  list(@Query() query: AlertQuery) {
    return this.dataSource.getRepository(AlertRow).find({ where: query.status ? { status: query.status } : {}, order: { crossedAt: 'DESC' } });
  }

  @Get(':alertId')
  @PersonalData('border-alerts')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One border alert' })
  async get(@Param('alertId', ParseUUIDPipe) alertId: string) {
    const alert = await this.dataSource.getRepository(AlertRow).findOneBy({ alertId });
    if (!alert) throw new NotFoundException(`no border alert ${alertId}`);
    return alert;
  }

  private run(dto: { commandId: string; correlationId?: string }, user: string, command: string, alertId: string, decision: AlertCommand) {
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command, user },
      { decider: alertDecider, stream: alertStream(alertId), release: ALERT_RELEASE, ids: { alertId } },
      decision,
    );
  }
}
