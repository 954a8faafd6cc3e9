import { Body, Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiHeader } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AGENCY_CONFIG, AgencyConfig, CommandService, RequestUser, Roles, PersonalData } from '@interlink/agency-kit';
import { deterministicUuid } from '@interlink/contracts';
import { CaseCommand, caseDecider, caseStream } from './case.decider';
import { ArrangeRepatriationDto, CaseQuery, CloseCaseDto, LocateVictimDto, ReclassifyCaseDto, RecordReturnDto, ReportVictimDto, RescueVictimDto } from './case.dto';
import { VictimCaseRow } from './case.entity';
import { caseRelease } from './release';

@ApiTags('cases')
@Controller('cases')
export class CasesController {
  constructor(
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Report a citizen missing or held abroad; police rescues are reconciled with open reports' })
  report(@Body() dto: ReportVictimDto, @RequestUser() user: string) {
    const caseId = dto.caseId ?? deterministicUuid(dto.commandId, 'case');
    return this.run(dto, user, 'report-victim', caseId, {
      type: 'report',
      caseId,
      person: dto.person,
      reportedBy: dto.reportedBy,
      ...(dto.reporter ? { reporter: dto.reporter } : {}),
      ...(dto.lastKnownCountry ? { lastKnownCountry: dto.lastKnownCountry } : {}),
      ...(dto.circumstances ? { circumstances: dto.circumstances } : {}),
      reportedOn: dto.reportedOn,
    });
  }

  @Post(':caseId/located')
  @ApiOperation({ summary: 'Record where the victim is, e.g. from a message to the family or an NGO' })
  locate(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: LocateVictimDto, @RequestUser() user: string) {
    return this.run(dto, user, 'locate-victim', caseId, { type: 'locate', country: dto.country, ...(dto.place ? { place: dto.place } : {}), locatedOn: dto.locatedOn });
  }

  @Post(':caseId/rescued')
  @ApiOperation({ summary: 'Record a rescue by hand, e.g. by a partner country or an NGO; police rescues arrive on their own' })
  rescue(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: RescueVictimDto, @RequestUser() user: string) {
    return this.run(dto, user, 'rescue-victim', caseId, { type: 'rescue', country: dto.country, ...(dto.place ? { place: dto.place } : {}), rescuedOn: dto.rescuedOn });
  }

  @Post(':caseId/repatriation')
  @ApiOperation({ summary: 'Arrange the journey home; immigration is told whom to expect, and when' })
  arrange(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: ArrangeRepatriationDto, @RequestUser() user: string) {
    return this.run(dto, user, 'arrange-repatriation', caseId, {
      type: 'arrange-repatriation',
      ...(dto.person ? { person: dto.person } : {}),
      expectedOn: dto.expectedOn,
      ...(dto.checkpoint ? { checkpoint: dto.checkpoint } : {}),
    });
  }

  @Post(':caseId/return')
  @ApiOperation({ summary: "Record the victim's return by hand, e.g. over a land border without a passport scan; scanned returns arrive from immigration" })
  recordReturn(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: RecordReturnDto, @RequestUser() user: string) {
    return this.run(dto, user, 'record-return', caseId, {
      type: 'record-return',
      returnedOn: dto.returnedOn,
      checkpoint: dto.checkpoint,
      // Without immigration's crossing record, the ministry's own record of the return stands in for it.
      crossing: { agency: this.config.agencyId, id: deterministicUuid(dto.commandId, 'return') },
    });
  }

  @Post(':caseId/close')
  @ApiOperation({ summary: 'Close an open case without a return, e.g. a withdrawn or duplicate report' })
  close(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: CloseCaseDto, @RequestUser() user: string) {
    return this.run(dto, user, 'close-case', caseId, { type: 'close', reason: dto.reason });
  }

  @Post(':caseId/reclassify')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Decide a case flagged by a suspect match: still a victim, or a suspect (no longer counted as a victim)' })
  reclassify(@Param('caseId', ParseUUIDPipe) caseId: string, @Body() dto: ReclassifyCaseDto, @RequestUser() user: string) {
    return this.run(dto, user, 'reclassify-case', caseId, { type: 'reclassify', outcome: dto.outcome, note: dto.note });
  }

  @Get()
  @PersonalData('victim-cases')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Victim cases, newest report first' })
  list(@Query() query: CaseQuery) {
    return this.dataSource.getRepository(VictimCaseRow).find({
      where: {
        ...(query.status ? { status: query.status } : {}),
        ...(query.country ? { country: query.country } : {}),
        ...(query.underReview ? { underReview: query.underReview === 'true' } : {}),
      },
      order: { reportedOn: 'DESC', caseId: 'ASC' },
    });
  }

  @Get(':caseId')
  @PersonalData('victim-cases')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One victim case' })
  async get(@Param('caseId', ParseUUIDPipe) caseId: string) {
    const found = await this.dataSource.getRepository(VictimCaseRow).findOneBy({ caseId });
    if (!found) throw new NotFoundException(`no victim case ${caseId}`);
    return found;
  }

  private run(dto: { commandId: string; correlationId?: string }, user: string, command: string, caseId: string, decision: CaseCommand) {
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command, user },
      { decider: caseDecider, stream: caseStream(caseId), release: caseRelease, ids: { caseId } },
      decision,
    );
  }
}
