import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiHeader } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { PersonalData } from '@interlink/agency-kit';
import { ExpectedReturnRow } from './expected-return.entity';

@ApiTags('returns')
@Controller('returns')
export class ReturnsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @PersonalData('expected-returns')
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read this personal data; recorded in the access log' })
  @ApiOperation({ summary: 'Victims the foreign ministry is bringing home, and whether they have arrived' })
  list() {
    return this.dataSource.getRepository(ExpectedReturnRow).find({ order: { expectedOn: 'ASC' } });
  }
}
