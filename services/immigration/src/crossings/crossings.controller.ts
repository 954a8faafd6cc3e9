import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiHeader } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { AgencyRuntime, CommandDto, CommandService, IsCalendarDate, IsCountryCode, IsDateTime, IsNestedObject, PassportDto, Release, RequestUser, appended, respond, PersonalData } from '@interlink/agency-kit';
import { DIRECTIONS, Direction, deterministicUuid } from '@interlink/contracts';
import { alertDecider, alertStream } from '../alerts/alert.decider';
import { ALERT_RELEASE } from '../alerts/release';
import { returnDecider, returnStream } from '../returns/return-expectation.decider';
import { VICTIM_RETURN_RELEASE } from '../returns/returns.policy';
import { normalisePassport } from '@interlink/matching';
import { expectedReturnHit, travellerRecord, watchlistHits } from './border-check';
import { crossingDecider, crossingStream } from './crossing.decider';
import { watchlistStream } from '../watchlist/watchlist-entry.decider';
import { CrossingRow } from './crossing.entity';

/** Every traveller's crossing stays inside immigration. */
const CROSSING_RELEASE: Release = { classification: 'AMBER', to: [], handling: ['personal-data'] };

export class TravellerDto {
  @ApiProperty({ example: 'Tan Ah Kow' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '1985-03-02' }) @IsCalendarDate() birthDate!: string;
  @ApiProperty({ example: 'MY' }) @IsCountryCode() nationality!: string;
  @ApiProperty({ type: PassportDto }) @IsNestedObject(() => PassportDto) passport!: PassportDto;
}

export class RecordCrossingDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() crossingId?: string;
  @ApiProperty({ type: TravellerDto }) @IsNestedObject(() => TravellerDto) traveller!: TravellerDto;
  @ApiProperty({ enum: DIRECTIONS }) @IsIn(DIRECTIONS as unknown as string[], { message: 'direction must be inbound or outbound' }) direction!: Direction;
  @ApiProperty({ example: 'KLIA' }) @IsString() @Length(1, 80) checkpoint!: string;
  @ApiProperty({ example: '2023-10-19T08:15:00.000Z' }) @IsDateTime() crossedAt!: string;
}

export class CrossingQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 80) checkpoint?: string;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

/**
 * A match as the command's result reports it: reason and score. The result is kept to answer
 * retries, and the explanation quotes personal data, which is kept sealed in the events only.
 */
function outline(match: { reason: string; score: number }) {
  return { reason: match.reason, score: match.score };
}

@ApiTags('crossings')
@Controller('crossings')
export class CrossingsController {
  constructor(
    private readonly commands: CommandService,
    private readonly runtime: AgencyRuntime,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Record a border crossing; a watchlist match raises an alert to police, an expected returning victim is reported to the ministry',
  })
  async record(@Body() dto: RecordCrossingDto, @RequestUser() user: string) {
    // Decide on the newest watchlist and expected returns, including entries added a moment ago.
    await this.runtime.projections.catchUp('watchlist');
    await this.runtime.projections.catchUp('expected_returns');
    const crossingId = dto.crossingId ?? deterministicUuid(dto.commandId, 'crossing');
    const traveller = { name: dto.traveller.name, birthDate: dto.traveller.birthDate, nationality: dto.traveller.nationality, passport: { number: dto.traveller.passport.number, country: dto.traveller.passport.country } };
    const outcome = await this.commands.execute({ commandId: dto.commandId, correlationId: dto.correlationId, command: 'record-crossing', user }, async (ctx) => {
      const crossing = { crossingId, traveller, direction: dto.direction, checkpoint: dto.checkpoint, crossedAt: new Date(dto.crossedAt).toISOString() };
      const [recorded] = await ctx.decide(crossingDecider, crossingStream(crossingId), { type: 'record', ...crossing }, CROSSING_RELEASE);
      const probe = travellerRecord(traveller);
      const key = normalisePassport(traveller.passport.number);
      const events = [recorded];
      const alerts = [];
      for (const { entry, match } of await watchlistHits(ctx.manager, probe, key)) {
        const alertId = deterministicUuid(dto.commandId, 'alert', entry.entryId);
        events.push(
          ...(await ctx.decide(
            alertDecider,
            alertStream(alertId),
            { type: 'raise', alertId, crossingId, entryId: entry.entryId, ...(entry.suspect ? { suspect: entry.suspect } : {}), traveller, direction: crossing.direction, checkpoint: crossing.checkpoint, crossedAt: crossing.crossedAt, match },
            ALERT_RELEASE,
            // The alert continues the case thread of the watchlist entry (the police identification).
            { correlationId: entry.correlationId, causationId: recorded.id, traceOf: watchlistStream(entry.entryId) },
          )),
        );
        alerts.push({ alertId, entryId: entry.entryId, suspect: entry.suspect, match: outline(match) });
      }
      let victimReturn;
      if (crossing.direction === 'inbound') {
        const hit = await expectedReturnHit(ctx.manager, probe, key);
        if (hit) {
          const { expectation, match } = hit;
          events.push(
            ...(await ctx.decide(
              returnDecider,
              returnStream(expectation.expectationId),
              { type: 'record-return', expectationId: expectation.expectationId, crossingId, case: expectation.caseRef, traveller, checkpoint: crossing.checkpoint, crossedAt: crossing.crossedAt, match },
              VICTIM_RETURN_RELEASE,
              { correlationId: expectation.correlationId, causationId: recorded.id, traceOf: returnStream(expectation.expectationId) },
            )),
          );
          victimReturn = { expectationId: expectation.expectationId, case: expectation.caseRef, match: outline(match) };
        }
      }
      return { crossingId, alerts, ...(victimReturn ? { victimReturn } : {}), events: appended(events) };
    });
    return respond(dto.commandId, outcome);
  }

  @Get()
  @PersonalData('border-crossings')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Recent crossings, newest first' })
  list(@Query() query: CrossingQuery) {
    return this.dataSource.getRepository(CrossingRow).find({
      where: query.checkpoint ? { checkpoint: query.checkpoint } : {},
      order: { crossedAt: 'DESC' },
      take: query.limit ?? 100,
    });
  }
}
