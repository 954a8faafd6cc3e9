import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** Every command carries the client's id for it; retrying with the same id is safe. */
export class CommandDto {
  @ApiProperty({ format: 'uuid', description: 'Your id for this command. Retry with the same id and you get the same result, with no second event.' })
  @IsUUID()
  commandId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Ties this command to an earlier case thread (correlation id); defaults to the command id.' })
  @IsOptional()
  @IsUUID()
  correlationId?: string;
}

const USER = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Who issues the request, from the `X-User` header (until token authentication lands, see
 * issue 5): the actor recorded on every event is `<agency id>/<user>`.
 */
export const RequestUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const header = ctx.switchToHttp().getRequest().headers['x-user'];
  if (header === undefined) return 'anonymous';
  if (typeof header !== 'string' || !USER.test(header)) {
    throw new BadRequestException(['header X-User must be a user name of lower-case letters, digits, dots, dashes or underscores (at most 64)']);
  }
  return header;
});

/** The answer to a command: what it did, and whether this was a retry of one already done. */
export interface CommandResponse<R> {
  commandId: string;
  replayed: boolean;
  result: R;
}

export function respond<R>(commandId: string, outcome: { result: R; replayed: boolean }): CommandResponse<R> {
  return { commandId, replayed: outcome.replayed, result: outcome.result };
}

/** What a command reports of the events it appended. */
export interface AppendedEvent {
  id: string;
  type: string;
  streamVersion: number;
}

export function appended(events: { id: string; type: string; streamversion: number }[]): AppendedEvent[] {
  return events.map((e) => ({ id: e.id, type: e.type, streamVersion: e.streamversion }));
}
