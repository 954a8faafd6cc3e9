import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { CommandDto, CommandService, IsCalendarDate, IsCountryCode, IsNestedList, PassportDto, Release, RequestUser } from '@interlink/agency-kit';
import { deterministicUuid } from '@interlink/contracts';
import { RaidCommand, RaidEvent, raidDecider, raidStream } from './raid.decider';
import { RaidRow } from './raid.entity';

export class ConductRaidDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() raidId?: string;
  @ApiProperty({ example: 'house on Calle Los Fresnos, La Molina' }) @IsString() @Length(1, 200) place!: string;
  @ApiPropertyOptional({ example: 'Lima' }) @IsOptional() @IsString() @Length(1, 200) city?: string;
  @ApiProperty({ example: 'PE' }) @IsCountryCode() country!: string;
  @ApiProperty({ example: '2023-10-17' }) @IsCalendarDate() conductedOn!: string;
  @ApiPropertyOptional({ example: 'Policía Nacional del Perú' }) @IsOptional() @IsString() @Length(1, 200) partnerAgency?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() syndicateId?: string;
}

export class RescuedPersonDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Derived from the command id and position when absent' }) @IsOptional() @IsUUID() personId?: string;
  @ApiProperty({ example: 'Siti Nurhaliza binti Ahmad' }) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ example: '1998-07-21' }) @IsOptional() @IsCalendarDate() birthDate?: string;
  @ApiProperty({ example: 'MY' }) @IsCountryCode() nationality!: string;

  @ApiPropertyOptional({ type: [PassportDto] })
  @IsOptional()
  @IsNestedList(() => PassportDto, { max: 5 })
  passports?: PassportDto[];
}

export class RecordRescueDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() rescueId?: string;
  @ApiProperty() @IsString() @Length(1, 200) place!: string;
  @ApiProperty({ example: 'PE' }) @IsCountryCode() country!: string;
  @ApiProperty({ example: '2023-10-17' }) @IsCalendarDate() rescuedOn!: string;

  @ApiProperty({ type: [RescuedPersonDto] })
  @IsNestedList(() => RescuedPersonDto, { min: 1, max: 1000 })
  persons!: RescuedPersonDto[];
}

@ApiTags('raids')
@Controller('raids')
export class RaidsController {
  constructor(
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Record a raid' })
  conduct(@Body() dto: ConductRaidDto, @RequestUser() user: string) {
    const raidId = dto.raidId ?? deterministicUuid(dto.commandId, 'raid');
    const { commandId: _c, correlationId: _k, raidId: _r, ...rest } = dto;
    return this.run(dto, user, 'conduct-raid', raidId, { type: 'conduct', raidId, ...rest });
  }

  @Post(':raidId/rescues')
  @ApiOperation({ summary: 'Record the persons rescued in a raid; the ministry reconciles them with its victim reports' })
  rescue(@Param('raidId', ParseUUIDPipe) raidId: string, @Body() dto: RecordRescueDto, @RequestUser() user: string) {
    const rescueId = dto.rescueId ?? deterministicUuid(dto.commandId, 'rescue');
    const persons = dto.persons.map((p, i) => ({ ...p, personId: p.personId ?? deterministicUuid(dto.commandId, 'person', String(i)) }));
    return this.run(dto, user, 'record-rescue', raidId, { type: 'rescue', rescueId, place: dto.place, country: dto.country, rescuedOn: dto.rescuedOn, persons });
  }

  @Get()
  @ApiOperation({ summary: 'Raids with rescued counts' })
  list() {
    return this.dataSource.getRepository(RaidRow).find({ order: { conductedOn: 'DESC' } });
  }

  @Get(':raidId')
  @ApiOperation({ summary: 'One raid' })
  async get(@Param('raidId', ParseUUIDPipe) id: string) {
    const raid = await this.dataSource.getRepository(RaidRow).findOneBy({ raidId: id });
    if (!raid) throw new NotFoundException(`no raid ${id}`);
    return raid;
  }

  private run(dto: { commandId: string; correlationId?: string }, user: string, command: string, raidId: string, decision: RaidCommand) {
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command, user },
      {
        decider: raidDecider,
        stream: raidStream(raidId),
        release: (e: RaidEvent): Release =>
          e.type === 'intel.police.victims-rescued'
            ? { classification: 'AMBER', to: ['foreign-ministry', 'immigration', 'task-force'], handling: ['personal-data', 'victim-identity'] }
            : { classification: 'AMBER', to: ['task-force'] },
        ids: { raidId },
      },
      decision,
    );
  }
}
