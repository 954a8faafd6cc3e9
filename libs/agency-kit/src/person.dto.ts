import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsNestedList } from './dto-validators';

/** A calendar date, YYYY-MM-DD, that exists. */
export function IsCalendarDate(): PropertyDecorator {
  return applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date written YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a real calendar date (YYYY-MM-DD)' }),
  );
}

/** An ISO 3166-1 alpha-2 country code. */
export function IsCountryCode(): PropertyDecorator {
  return applyDecorators(Matches(/^[A-Z]{2}$/, { message: '$property must be a two-letter country code in capitals, e.g. MY, KH, PE' }));
}

export class PassportDto {
  @ApiProperty({ example: 'A12345678' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 .-]{3,23}$/, { message: 'number must be a passport number of 4 to 24 letters and digits' })
  number!: string;

  @ApiProperty({ example: 'MY', description: 'Issuing country (ISO 3166-1 alpha-2)' })
  @IsCountryCode()
  country!: string;
}

export class PersonDto {
  @ApiProperty({ example: 'Tan Ah Kow' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  aliases?: string[];

  @ApiPropertyOptional({ example: '1990-05-14' })
  @IsOptional()
  @IsCalendarDate()
  birthDate?: string;

  @ApiPropertyOptional({ example: 'MY' })
  @IsOptional()
  @IsCountryCode()
  nationality?: string;

  @ApiPropertyOptional({ type: [PassportDto] })
  @IsOptional()
  @IsNestedList(() => PassportDto, { max: 10 })
  passports?: PassportDto[];
}
