import { BadRequestException, Controller, Get, Header, NotFoundException, Param, Query, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDateTime, Public, Roles } from '@interlink/agency-kit';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { ReadsPersonalData } from './access-log.interceptor';
import { AuditService, UnknownAgency } from './audit.service';

/**
 * How far into a log: up to a sequence number or a moment. A replay always starts at the first
 * event, since a read model built from the middle of a log lacks the records its events update.
 */
export class ReplayQuery {
  @ApiPropertyOptional({ description: 'Last sequence number' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) to?: number;
  @ApiPropertyOptional({ description: 'Only what had happened by this moment (ISO 8601)' })
  @IsOptional()
  @IsDateTime()
  asOf?: string;
}

/** A part of a log: from and to a sequence number, or up to a moment. */
export class RangeQuery extends ReplayQuery {
  @ApiPropertyOptional({ description: 'First sequence number' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) from?: number;
}

/** A term to look for: the history and replays search for it once trimmed, so it needs 3 characters besides spaces at its ends. */
const SearchTerm = () =>
  applyDecorators(IsString(), Length(3, 200), Matches(/\S[\s\S]+\S/, { message: 'term must hold at least 3 characters besides the spaces at its ends, e.g. a passport number or a name' }));

export class VerifyQuery extends RangeQuery {
  @ApiPropertyOptional({ enum: ['archive', 'kafka'], default: 'archive' }) @IsOptional() @IsIn(['archive', 'kafka']) source?: 'archive' | 'kafka';
}

export class KnowledgeQuery extends ReplayQuery {
  @ApiProperty({ description: 'A passport number, a name, any term' }) @SearchTerm() term!: string;
}

export class HistoryQuery {
  @ApiPropertyOptional({ description: 'A stream id, e.g. suspect-<uuid>' }) @IsOptional() @IsString() @Length(1, 200) subject?: string;
  @ApiPropertyOptional({ description: 'A passport number or name' }) @IsOptional() @SearchTerm() term?: string;
}

export class ExportQuery extends RangeQuery {
  @ApiPropertyOptional({ enum: ['jsonl', 'stix'], default: 'jsonl' }) @IsOptional() @IsIn(['jsonl', 'stix']) format?: 'jsonl' | 'stix';
}

const range = ({ from, to, asOf }: { from?: number; to?: number; asOf?: string }) => ({ from, to, asOf: asOf ? new Date(asOf) : undefined });

@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('health')
  @Public()
  health() {
    return { status: 'ok', role: 'audit' };
  }

  @Get('agencies')
  @ApiOperation({ summary: 'Audited agencies and how much of their log is archived' })
  agencies() {
    return this.audit.agencies();
  }

  @Get('agencies/:agency/verification')
  @ApiOperation({ summary: "Verify an agency's log: chain, hashes, signatures; the first bad position and what is wrong" })
  verify(@Param('agency') agency: string, @Query() q: VerifyQuery) {
    return this.known(() => (q.source === 'kafka' ? this.audit.verifyKafka(agency, q) : this.audit.verifyArchive(agency, q)));
  }

  @Get('agencies/:agency/read-models')
  @ReadsPersonalData()
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: "Rebuild an agency's read models with its own code, as of a moment or a sequence number" })
  readModels(@Param('agency') agency: string, @Query() q: ReplayQuery) {
    return this.known(() => this.audit.replays.tables(agency, this.audit.roleOf(agency), range(q)));
  }

  @Get('agencies/:agency/knowledge')
  @ReadsPersonalData()
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'What an agency knew about a passport number (or any term) at a moment' })
  knowledge(@Param('agency') agency: string, @Query() q: KnowledgeQuery) {
    return this.known(() => this.audit.replays.knowledge(agency, this.audit.roleOf(agency), range(q), q.term));
  }

  @Get('history')
  @ReadsPersonalData()
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One case or person across agencies, in order, with causation links' })
  history(@Query() q: HistoryQuery) {
    if (!q.subject && !q.term) throw new BadRequestException(['give subject (a stream id) or term (e.g. a passport number)']);
    return this.audit.histories.history(q);
  }

  @Get('agencies/:agency/export')
  @ReadsPersonalData()
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: "Export a range of an agency's log as JSON Lines of envelopes, or as a STIX 2.1 bundle" })
  async export(@Param('agency') agency: string, @Query() q: ExportQuery) {
    return this.known(async () => (q.format === 'stix' ? this.audit.exportStix([agency], range(q)) : this.audit.exportJsonLines(agency, range(q))));
  }

  private async known<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownAgency) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
