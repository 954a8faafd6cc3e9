import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiHeader } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { CommandDto, CommandService, RequestUser, PersonalData } from '@interlink/agency-kit';
import { Police, deterministicUuid } from '@interlink/contracts';
import { SuspectRow } from '../suspects/suspect.entity';
import { syndicateDecider, syndicateStream } from './syndicate.decider';
import { SyndicateRow } from './syndicate.entity';

export class IdentifySyndicateDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() syndicateId?: string;
  @ApiProperty({ example: 'La Molina call centre ring' }) @IsString() @Length(1, 200) name!: string;

  @ApiProperty({ enum: Police.SCAM_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsIn(Police.SCAM_TYPES as unknown as string[], { each: true, message: `each scam type must be one of ${Police.SCAM_TYPES.join(', ')}` })
  scamTypes!: Police.ScamType[];

  @ApiProperty({ example: ['PE', 'MY'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @Matches(/^[A-Z]{2}$/, { each: true, message: 'each country must be a two-letter code in capitals, e.g. PE' })
  countries!: string[];

  @ApiProperty({ example: ['house in La Molina, Lima'] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  places!: string[];
}

@ApiTags('syndicates')
@Controller('syndicates')
export class SyndicatesController {
  constructor(
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Identify a syndicate' })
  identify(@Body() dto: IdentifySyndicateDto, @RequestUser() user: string) {
    const syndicateId = dto.syndicateId ?? deterministicUuid(dto.commandId, 'syndicate');
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command: 'identify-syndicate', user },
      { decider: syndicateDecider, stream: syndicateStream(syndicateId), release: { classification: 'AMBER', to: ['task-force'] }, ids: { syndicateId } },
      { type: 'identify', syndicateId, name: dto.name, scamTypes: dto.scamTypes, countries: dto.countries, places: dto.places },
    );
  }

  @Get()
  @ApiOperation({ summary: 'Syndicates' })
  list() {
    return this.dataSource.getRepository(SyndicateRow).find({ order: { name: 'ASC' } });
  }

  @Get(':syndicateId')
  @PersonalData('syndicate-members')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One syndicate with its members' })
  async get(@Param('syndicateId', ParseUUIDPipe) id: string) {
    const syndicate = await this.dataSource.getRepository(SyndicateRow).findOneBy({ syndicateId: id });
    if (!syndicate) throw new NotFoundException(`no syndicate ${id}`);
    const members = await this.dataSource.getRepository(SuspectRow).find({ where: { syndicateId: id }, order: { name: 'ASC' } });
    return { ...syndicate, members };
  }
}
