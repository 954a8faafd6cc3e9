import { Body, Controller, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { Roles } from './auth.guard';
import { CommandService } from './command.service';
import { CommandDto, RequestUser, appended, respond } from './http';

export class ErasePersonalDataDto extends CommandDto {
  @ApiProperty({ description: 'The lawful basis and the request, e.g. "GDPR art. 17, request 2026-114"', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

/** Erasure of personal data on a lawful request, offered by every agency service that holds any. */
@ApiTags('personal data')
@Controller('personal-data')
export class PersonalDataController {
  constructor(private readonly commands: CommandService) {}

  @Post(':ref/erasure')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase the personal data of a person record (a suspect, case, crossing, watchlist entry... by its id)',
    description:
      'Destroys the record\'s data key, so every copy of its personal data, in this agency\'s log, on Kafka and at partners and auditors, reads as erased; ' +
      'the audit chain still verifies. Partners erase what they derived from the record. Cannot be undone.',
  })
  async erase(@Param('ref', new ParseUUIDPipe({ version: undefined })) ref: string, @Body() dto: ErasePersonalDataDto, @RequestUser() user: string) {
    const outcome = await this.commands.execute({ commandId: dto.commandId, correlationId: dto.correlationId, command: 'erase-personal-data', user }, async (ctx) => {
      const events = await ctx.erasePersonalData(ref, dto.reason);
      if (!events) throw new NotFoundException(`this agency holds no personal data under record ${ref}`);
      return { ref, events: appended(events) };
    });
    return respond(dto.commandId, outcome);
  }
}
