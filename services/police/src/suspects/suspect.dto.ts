import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { CommandDto, IsCalendarDate, IsCountryCode, IsNestedObject, PersonDto } from '@interlink/agency-kit';
import { Classification, Police, TLP } from '@interlink/contracts';

export class IdentifySuspectDto extends CommandDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Derived from the command id when absent' })
  @IsOptional()
  @IsUUID()
  suspectId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  syndicateId?: string;

  @ApiProperty({ type: PersonDto })
  @IsNestedObject(() => PersonDto)
  person!: PersonDto;

  @ApiProperty({ enum: Police.SUSPECT_ROLES })
  @IsIn(Police.SUSPECT_ROLES as unknown as string[], { message: `role must be one of ${Police.SUSPECT_ROLES.join(', ')}` })
  role!: Police.SuspectRole;

  @ApiPropertyOptional({ enum: TLP, default: 'AMBER', description: 'TLP:RED keeps the suspect and all that follows inside police (auditors get a stub without the payload)' })
  @IsOptional()
  @IsIn(TLP as unknown as string[], { message: `classification must be one of ${TLP.join(', ')}` })
  classification?: Classification;
}

export class ArrestSuspectDto extends CommandDto {
  @ApiProperty({ example: '2023-10-20' }) @IsCalendarDate() arrestedOn!: string;
  @ApiProperty({ example: 'KLIA Terminal 1' }) @IsString() @Length(1, 200) place!: string;
  @ApiProperty({ example: 'MY' }) @IsCountryCode() country!: string;
}

export class ChargeSuspectDto extends CommandDto {
  @ApiProperty({ example: 'ATIPSOM 2007' }) @IsString() @Length(1, 200) law!: string;
  @ApiProperty({ example: '12' }) @IsString() @Length(1, 40) section!: string;
  @ApiProperty({ example: '2023-11-02' }) @IsCalendarDate() chargedOn!: string;
  @ApiPropertyOptional({ example: 'Sessions Court, Kuala Lumpur' }) @IsOptional() @IsString() @Length(1, 200) court?: string;
}

export class ConvictSuspectDto extends CommandDto {
  @ApiProperty({ example: '2024-03-01' }) @IsCalendarDate() convictedOn!: string;
  @ApiProperty({ example: '8 years and a fine' }) @IsString() @Length(1, 500) sentence!: string;
}

export class ClearSuspectDto extends CommandDto {
  @ApiProperty({ example: '2023-12-01' }) @IsCalendarDate() clearedOn!: string;
  @ApiProperty({ example: 'mistaken identity: a namesake' }) @IsString() @Length(1, 500) reason!: string;
}

export class ChangeRoleDto extends CommandDto {
  @ApiProperty({ enum: Police.SUSPECT_ROLES })
  @IsIn(Police.SUSPECT_ROLES as unknown as string[], { message: `role must be one of ${Police.SUSPECT_ROLES.join(', ')}` })
  role!: Police.SuspectRole;

  @ApiProperty({ example: 'phone records show he ran the call centre' }) @IsString() @Length(1, 500) reason!: string;
}

export class SuspectQuery {
  @ApiPropertyOptional({ enum: ['identified', 'arrested', 'charged', 'convicted', 'cleared'] })
  @IsOptional()
  @IsIn(['identified', 'arrested', 'charged', 'convicted', 'cleared'])
  status?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() syndicateId?: string;
}

export class ChangeMarkingDto extends CommandDto {
  @ApiProperty({ enum: TLP, description: 'TLP:RED keeps everything that follows inside police' })
  @IsIn(TLP as unknown as string[], { message: `classification must be one of ${TLP.join(', ')}` })
  classification!: Classification;

  @ApiPropertyOptional({ enum: ['immigration', 'foreign-ministry', 'task-force'], isArray: true, description: 'Partners that may hold the suspect from now on; the others delete what they hold' })
  @IsOptional()
  @IsArray()
  @IsIn(['immigration', 'foreign-ministry', 'task-force'], { each: true, message: 'releasableTo may name immigration, foreign-ministry and task-force' })
  releasableTo?: ('immigration' | 'foreign-ministry' | 'task-force')[];

  @ApiProperty({ example: 'the suspect became an informant' }) @IsString() @Length(1, 500) reason!: string;
}
