import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ExpectedReturnRow } from './expected-return.entity';

@ApiTags('returns')
@Controller('returns')
export class ReturnsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Victims the foreign ministry is bringing home, and whether they have arrived' })
  list() {
    return this.dataSource.getRepository(ExpectedReturnRow).find({ order: { expectedOn: 'ASC' } });
  }
}
