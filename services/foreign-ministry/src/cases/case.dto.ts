import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { CommandDto, IsCalendarDate, IsCountryCode, IsNestedObject, PersonDto } from '@interlink/agency-kit';
import { ForeignMinistry } from '@interlink/contracts';

export const CASE_STATUSES = ['reported', 'located', 'rescued', 'repatriation-arranged', 'repatriated', 'closed'] as const;

export class ReportVictimDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Derived from the command id when absent' })
  @IsOptional()
  @IsUUID()
  caseId?: string;

  @ApiProperty({ type: PersonDto, description: 'The missing citizen, with every name and passport the family knows' })
  @IsNestedObject(() => PersonDto)
  person!: PersonDto;

  @ApiProperty({ enum: ForeignMinistry.REPORTERS })
  @IsIn(ForeignMinistry.REPORTERS as unknown as string[], { message: `reportedBy must be one of ${ForeignMinistry.REPORTERS.join(', ')}` })
  reportedBy!: ForeignMinistry.Reporter;

  @ApiPropertyOptional({ example: 'Beruas MP service centre', description: 'Who to call back' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reporter?: string;

  @ApiPropertyOptional({ example: 'KH', description: 'Where the victim was last heard of' })
  @IsOptional()
  @IsCountryCode()
  lastKnownCountry?: string;

  @ApiPropertyOptional({ example: 'Offered a customer-service job in Bangkok; last messaged from near the Cambodian border.' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  circumstances?: string;

  @ApiProperty({ example: '2023-09-01' }) @IsCalendarDate() reportedOn!: string;
}

export class LocateVictimDto extends CommandDto {
  @ApiProperty({ example: 'MM' }) @IsCountryCode() country!: string;
  @ApiPropertyOptional({ example: 'KK Park, Myawaddy' }) @IsOptional() @IsString() @Length(1, 200) place?: string;
  @ApiProperty({ example: '2023-09-20' }) @IsCalendarDate() locatedOn!: string;
}

export class RescueVictimDto extends CommandDto {
  @ApiProperty({ example: 'MM' }) @IsCountryCode() country!: string;
  @ApiPropertyOptional({ example: 'Shwe Kokko' }) @IsOptional() @IsString() @Length(1, 200) place?: string;
  @ApiProperty({ example: '2023-10-02' }) @IsCalendarDate() rescuedOn!: string;
}

export class ArrangeRepatriationDto extends CommandDto {
  @ApiPropertyOptional({ type: PersonDto, description: 'Who immigration should expect, e.g. with the emergency travel document issued; the reported person when absent' })
  @IsOptional()
  @IsNestedObject(() => PersonDto)
  person?: PersonDto;

  @ApiProperty({ example: '2023-10-10' }) @IsCalendarDate() expectedOn!: string;
  @ApiPropertyOptional({ example: 'KLIA' }) @IsOptional() @IsString() @Length(1, 80) checkpoint?: string;
}

export class RecordReturnDto extends CommandDto {
  @ApiProperty({ example: '2023-10-10' }) @IsCalendarDate() returnedOn!: string;
  @ApiProperty({ example: 'Bukit Kayu Hitam' }) @IsString() @Length(1, 80) checkpoint!: string;
}

export class CloseCaseDto extends CommandDto {
  @ApiProperty({ example: 'report withdrawn: the family heard from her, she is working legally in Bangkok' }) @IsString() @Length(1, 500) reason!: string;
}

export class ReclassifyCaseDto extends CommandDto {
  @ApiProperty({ enum: ForeignMinistry.RECLASSIFICATIONS, description: '`suspect` ends the case: the person no longer counts as a victim' })
  @IsIn(ForeignMinistry.RECLASSIFICATIONS as unknown as string[], { message: `outcome must be one of ${ForeignMinistry.RECLASSIFICATIONS.join(', ')}` })
  outcome!: ForeignMinistry.Reclassification;

  @ApiProperty({ example: 'coerced into recruiting under threat; remains a victim' }) @IsString() @Length(1, 1000) note!: string;
}

export class CaseQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES as unknown as string[], { message: `status must be one of ${CASE_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ example: 'MM' }) @IsOptional() @IsCountryCode() country?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only cases awaiting (or not awaiting) a decision after a suspect match' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'underReview must be true or false' })
  underReview?: 'true' | 'false';
}
