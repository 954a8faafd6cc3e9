import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { TLP } from '@interlink/contracts';

/** What the feed can be narrowed to; every filter is optional and they combine. */
export class FeedFilterDto {
  @ApiPropertyOptional({ description: 'Only events from this agency (its id, e.g. police)', example: 'immigration' })
  @IsOptional()
  @MaxLength(40)
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { message: 'agency must be an agency id such as police or kh-police' })
  agency?: string;

  @ApiPropertyOptional({ description: 'Only events of this type', example: 'intel.immigration.border-alert-raised' })
  @IsOptional()
  @MaxLength(200)
  @Matches(/^intel\.[a-z0-9-]+\.[a-z0-9-]+$/, { message: 'type must be an event type such as intel.police.raid-conducted' })
  type?: string;

  @ApiPropertyOptional({ description: 'Only events about this country (where it happened, or a nationality), ISO 3166-1 alpha-2', example: 'PE' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be a two-letter country code in capitals, e.g. PE' })
  country?: string;

  @ApiPropertyOptional({ description: 'Only events with this TLP marking', enum: TLP })
  @IsOptional()
  @IsIn([...TLP], { message: `marking must be one of ${TLP.join(', ')}` })
  marking?: string;
}

export class FeedPageDto extends FeedFilterDto {
  @ApiPropertyOptional({ description: 'Only events numbered below this one (the next page of older events)', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before must be a whole number (a feed number)' })
  @Min(1, { message: 'before must be at least 1' })
  before?: number;

  @ApiPropertyOptional({ description: 'How many events (default 100)', minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 500' })
  @Min(1, { message: 'limit must be a whole number from 1 to 500' })
  @Max(500, { message: 'limit must be a whole number from 1 to 500' })
  limit?: number;
}

export class FeedStreamDto extends FeedFilterDto {
  @ApiPropertyOptional({
    description: 'Send the events numbered after this one first (default: only new events). A reconnecting client sends Last-Event-ID instead, which wins.',
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number (a feed number)' })
  @Min(0, { message: 'after must be 0 or more' })
  after?: number;
}

const FEED_NUMBER = /^(0|[1-9][0-9]{0,14})$/;

/** The feed number in a Last-Event-ID header; a clear 400 for anything else. */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!FEED_NUMBER.test(value.trim())) {
    throw new BadRequestException([
      `Last-Event-ID must be the number of the last feed event received (digits only, as sent in the stream's id field), got "${value.slice(0, 40)}"`,
    ]);
  }
  return Number(value.trim());
}
