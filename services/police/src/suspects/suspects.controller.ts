import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiHeader } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AGENCY_CONFIG, AgencyConfig, Release, CommandService, RequestUser, Roles, PersonalData } from '@interlink/agency-kit';
import { Classification, Police, deterministicUuid } from '@interlink/contracts';
import { SuspectCommand, SuspectEvent, SuspectState, suspectDecider, suspectStream } from './suspect.decider';
import { ArrestSuspectDto, ChangeMarkingDto, ChangeRoleDto, ChargeSuspectDto, ClearSuspectDto, ConvictSuspectDto, IdentifySuspectDto, SuspectQuery } from './suspect.dto';
import { SightingRow, SuspectRow } from './suspect.entity';
import { SIGHTING_RELEASE, SUSPECT_RELEASE } from './release';

@ApiTags('suspects')
@Controller('suspects')
export class SuspectsController {
  constructor(
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
    private readonly commands: CommandService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Identify a suspect; immigration watchlists them and the ministry checks its victim cases' })
  async identify(@Body() dto: IdentifySuspectDto, @RequestUser() user: string) {
    const suspectId = dto.suspectId ?? deterministicUuid(dto.commandId, 'suspect');
    return this.run(
      dto,
      user,
      'identify-suspect',
      suspectId,
      { type: 'identify', suspectId, person: dto.person, role: dto.role, ...(dto.syndicateId ? { syndicateId: dto.syndicateId } : {}) },
      dto.classification,
    );
  }

  @Post(':suspectId/arrest')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an arrest' })
  arrest(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ArrestSuspectDto, @RequestUser() user: string) {
    return this.run(dto, user, 'arrest-suspect', id, { type: 'arrest', arrestedOn: dto.arrestedOn, place: dto.place, country: dto.country });
  }

  @Post(':suspectId/charge')
  @ApiOperation({ summary: 'Record a charge, e.g. under ATIPSOM' })
  charge(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ChargeSuspectDto, @RequestUser() user: string) {
    return this.run(dto, user, 'charge-suspect', id, { type: 'charge', law: dto.law, section: dto.section, chargedOn: dto.chargedOn, ...(dto.court ? { court: dto.court } : {}) });
  }

  @Post(':suspectId/convict')
  @ApiOperation({ summary: 'Record a conviction' })
  convict(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ConvictSuspectDto, @RequestUser() user: string) {
    return this.run(dto, user, 'convict-suspect', id, { type: 'convict', convictedOn: dto.convictedOn, sentence: dto.sentence });
  }

  @Post(':suspectId/clear')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Clear a suspect; immigration lifts their watchlist entry' })
  clear(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ClearSuspectDto, @RequestUser() user: string) {
    return this.run(dto, user, 'clear-suspect', id, { type: 'clear', clearedOn: dto.clearedOn, reason: dto.reason });
  }

  @Post(':suspectId/marking')
  @Roles('supervisor')
  @ApiOperation({ summary: 'Change who may hold the suspect: partners that lose access delete what they hold' })
  async changeMarking(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ChangeMarkingDto, @RequestUser() user: string) {
    const partners = this.config.partners;
    const releasableTo = (dto.releasableTo ?? []).map((role) => partners[role]);
    return this.run(dto, user, 'change-suspect-marking', id, { type: 'change-marking', classification: dto.classification, releasableTo, reason: dto.reason });
  }

  @Post(':suspectId/role')
  @ApiOperation({ summary: "Change a suspect's role; every agency that holds them learns it" })
  changeRole(@Param('suspectId', ParseUUIDPipe) id: string, @Body() dto: ChangeRoleDto, @RequestUser() user: string) {
    return this.run(dto, user, 'change-suspect-role', id, { type: 'change-role', to: dto.role, reason: dto.reason });
  }

  @Get()
  @PersonalData('suspects')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Suspects with status and last known whereabouts' })
  list(@Query() query: SuspectQuery) {
    return this.dataSource.getRepository(SuspectRow).find({
      where: { ...(query.status ? { status: query.status } : {}), ...(query.syndicateId ? { syndicateId: query.syndicateId } : {}) },
      order: { name: 'ASC' },
    });
  }

  @Get(':suspectId')
  @PersonalData('suspects')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'One suspect, with every border sighting' })
  async get(@Param('suspectId', ParseUUIDPipe) id: string) {
    const suspect = await this.dataSource.getRepository(SuspectRow).findOneBy({ suspectId: id });
    if (!suspect) throw new NotFoundException(`no suspect ${id}`);
    const sightings = await this.dataSource.getRepository(SightingRow).find({ where: { suspectId: id }, order: { seenAt: 'DESC' } });
    return { ...suspect, sightingHistory: sightings };
  }

  private run(
    dto: { commandId: string; correlationId?: string },
    user: string,
    command: string,
    suspectId: string,
    decision: SuspectCommand,
    classification?: Classification,
  ) {
    return this.commands.decideOn(
      { commandId: dto.commandId, correlationId: dto.correlationId, command, user },
      {
        decider: suspectDecider,
        stream: suspectStream(suspectId),
        release: (e: SuspectEvent, state: SuspectState) => releaseOf(e, state.marking, classification),
        ids: { suspectId },
      },
      decision,
    );
  }
}

/**
 * How a suspect's event is marked: sightings stay with police; a marking change goes to every
 * partner (ids only) so that those who lost access delete what they hold; everything else
 * follows the marking police chose for the suspect, or the default.
 */
function releaseOf(event: SuspectEvent, marking: SuspectState['marking'], classification?: Classification): Release {
  if (event.type === Police.SuspectSighted.type || event.type === Police.SightingWithdrawn.type) return SIGHTING_RELEASE;
  if (event.type === Police.SuspectMarkingChanged.type) return { classification: 'AMBER', to: ['immigration', 'foreign-ministry'] };
  if (marking) return { ...SUSPECT_RELEASE, classification: marking.classification, agencies: marking.releasableTo };
  return { ...SUSPECT_RELEASE, ...(classification ? { classification } : {}) };
}
