import { ExecutionContext, UnauthorizedException, createParamDecorator } from '@nestjs/common';
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

/** Who issues the request: the user of its bearer token (the actor recorded on events is `<agency id>/<user>`). */
export const RequestUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const user = ctx.switchToHttp().getRequest().user as { sub?: string } | undefined;
  if (!user?.sub) throw new UnauthorizedException('send a bearer token: Authorization: Bearer <token>');
  return user.sub;
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
