import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiHeader } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { CommandDto, CommandService, IsNestedObject, PersonDto, RequestUser, Roles, PersonalData } from '@interlink/agency-kit';
import { Police, deterministicUuid } from '@interlink/contracts';
import { WatchlistCommand, watchlistDecider, watchlistStream } from './watchlist-entry.decider';
import { WatchlistRow } from './watchlist.entity';
import { WATCHLIST_RELEASE } from './watchlist.policy';

export class AddWatchlistEntryDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() entryId?: string;
  @ApiProperty({ type: PersonDto }) @IsNestedObject(() => PersonDto) person!: PersonDto;
  @ApiProperty({ example: 'Interpol yellow notice: missing person' }) @IsString() @Length(1, 500) reason!: string;

  @ApiPropertyOptional({ enum: Police.SUSPECT_ROLES })
  @IsOptional()
  @IsIn(Police.SUSPECT_ROLES as unknown as string[], { message: `role must be one of ${Police.SUSPECT_ROLES.join(', ')}` })
  role?: Police.SuspectRole;
}

export class LiftWatchlistEntryDto extends CommandDto {
  @ApiProperty({ example: 'notice withdrawn' }) @IsString() @Length(1, 500) reason!: string;
}

export class WatchlistQuery {
  @ApiPropertyOptional({ enum: ['active', 'lifted'] }) @IsOptional() @IsIn(['active', 'lifted']) status?: 'active' | 'lifted';
}

@ApiTags('watchlist')
@Controller('watchlist')
export class WatchlistController {
  constructor(
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a person to the watchlist by hand' })
  add(@Body() dto: AddWatchlistEntryDto, @RequestUser() user: string) {
    const entryId = dto.entryId ?? deterministicUuid(dto.commandId, 'watchlist-entry');
    return this.run(dto, user, 'add-watchlist-entry', entryId, {
      type: 'add',
      entryId,
      person: dto.person,
      reason: dto.reason,
      ...(dto.role ? { role: dto.role } : {}),
    });
  }

  @Post(':entryId/lift')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Lift a watchlist entry' })
  lift(@Param('entryId', ParseUUIDPipe) entryId: string, @Body() dto: LiftWatchlistEntryDto, @RequestUser() user: string) {
    return this.run(dto, user, 'lift-watchlist-entry', entryId, { type: 'lift', reason: dto.reason });
  }

  @Get()
  @PersonalData('watchlist')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Watchlist entries' })
  list(@Query() query: WatchlistQuery) {
    return this.dataSource.getRepository(WatchlistRow).find({ where: query.status ? { status: query.status } : {}, order: { addedAt: 'DESC' } });
  }

  @Get(':entryId')
  @PersonalData('watchlist')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One watchlist entry' })
  async get(@Param('entryId', ParseUUIDPipe) entryId: string) {
    const entry = await this.dataSource.getRepository(WatchlistRow).findOneBy({ entryId });
    if (!entry) throw new NotFoundException(`no watchlist entry ${entryId}`);
    return entry;
  }

  private run(dto: { commandId: string; correlationId?: string }, user: string, command: string, entryId: string, decision: WatchlistCommand) {
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command, user },
      { decider: watchlistDecider, stream: watchlistStream(entryId), release: WATCHLIST_RELEASE, ids: { entryId } },
      decision,
    );
  }
}
