import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { ENTITY_KINDS, entityKey } from '../describe/entities';
import { Dossier, DossierService, RecordSummary, SubjectKind } from './dossier.service';

export class SubjectQuery {
  @ApiPropertyOptional({ enum: ['suspect', 'syndicate', 'case'], description: 'Only this kind of record' })
  @IsOptional()
  @IsIn(['suspect', 'syndicate', 'case'], { message: 'kind must be one of suspect, syndicate, case' })
  kind?: SubjectKind;

  @ApiPropertyOptional({ description: 'Part of an id, a pseudonym, a role, a syndicate name (or a name, where the task force was given it)' })
  @IsOptional()
  @MaxLength(100)
  q?: string;
}

export class DossierParams {
  @ApiProperty({ enum: ENTITY_KINDS, description: 'What the record is' })
  @IsIn([...ENTITY_KINDS], { message: `kind must be one of ${ENTITY_KINDS.join(', ')}` })
  kind!: string;

  @ApiProperty({ example: 'police', description: 'The agency whose record it is' })
  @MaxLength(40)
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { message: 'agency must be an agency id such as police' })
  agency!: string;

  @ApiProperty({ format: 'uuid', description: "The record's id" })
  @IsUUID('all', { message: 'id must be the record\'s id (a UUID)' })
  id!: string;
}

@ApiTags('dossiers')
@Controller('api/dossiers')
export class DossierController {
  constructor(private readonly dossiers: DossierService) {}

  @Get()
  @ApiOperation({ summary: 'Suspects, syndicates and victim cases the task force knows of, to open a dossier on' })
  subjects(@Query() query: SubjectQuery): Promise<RecordSummary[]> {
    return this.dossiers.subjects(query.kind, query.q);
  }

  @Get(':kind/:agency/:id')
  @ApiOperation({
    summary: 'One person or syndicate across agencies',
    description:
      'The records linked to it (alerts, victim cases, sightings, the syndicate, person records), each match with its reason, score and explanation, ' +
      'and a timeline of the events about them, each with the event that caused it.',
  })
  dossier(@Param() params: DossierParams): Promise<Dossier> {
    return this.dossiers.dossier(entityKey(params.kind, params.agency, params.id.toLowerCase()));
  }
}
