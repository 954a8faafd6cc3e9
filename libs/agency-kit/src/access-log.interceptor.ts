import { BadRequestException, CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, mergeMap } from 'rxjs';
import { PERSONAL_DATA_READ_TYPES, PersonalDataRead, uuidv7 } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { AgencyConfig } from './config';
import { AGENCY_CONFIG } from './tokens';

/** Marks a route that returns personal data: every read of it is recorded in the agency's log. */
export const PersonalData = (resource: string) => SetMetadata('interlink:personal-data', resource);

const MAX_IDS = 100;

/**
 * The purpose a reader of personal data states in `X-Purpose`, trimmed; refused (400) when missing,
 * shorter than 3 or longer than 500 characters. Node hands header bytes over as Latin-1, so a
 * purpose sent as UTF-8 ("révision du dossier") is decoded as UTF-8 where its bytes are UTF-8.
 */
export function statedPurpose(request: { headers: Record<string, unknown> }, example: string): string {
  const raw: unknown = request.headers['x-purpose'];
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : undefined;
  const utf8 = bytes?.toString('utf8');
  const purpose = (utf8 !== undefined && !utf8.includes('\ufffd') && Buffer.from(utf8, 'utf8').equals(bytes!) ? utf8 : (raw as string | undefined))?.trim();
  if (purpose === undefined || purpose.length < 3 || purpose.length > 500) {
    throw new BadRequestException([`header X-Purpose must say why you read this personal data (3 to 500 characters), e.g. "${example}"`]);
  }
  return purpose;
}

/** The record ids of an answer: each row's first `...Id` field. */
function idsOf(result: unknown): { records: number; ids: string[] } {
  const rows = (Array.isArray(result) ? result : result ? [result] : []) as Record<string, unknown>[];
  const ids = rows.flatMap((row) => {
    const key = Object.keys(row ?? {}).find((k) => k.endsWith('Id') && typeof row[k] === 'string');
    return key ? [String(row[key])] : [];
  });
  return { records: rows.length, ids: ids.slice(0, MAX_IDS) };
}

/**
 * Reads of personal data need a stated purpose (header `X-Purpose`) and are recorded, before the
 * answer leaves, as a `personal-data-read` event in the agency's own log: who, what, when and
 * why. The log is released to the auditors like every other event.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: EventStore,
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const resource = this.reflector.get<string>('interlink:personal-data', context.getHandler());
    const type = PERSONAL_DATA_READ_TYPES[this.config.role as keyof typeof PERSONAL_DATA_READ_TYPES];
    if (!resource || !type) return next.handle();
    const request = context.switchToHttp().getRequest();
    const purpose = statedPurpose(request, 'case 2023/117: review of a border alert');
    const user: string = request.user?.sub ?? 'anonymous';
    return next.handle().pipe(
      mergeMap(async (result) => {
        const read: PersonalDataRead = { user, resource, request: String(request.originalUrl ?? request.url).slice(0, 2000), purpose, ...idsOf(result) };
        await this.store.append(`access-log-${user}`, 'any', [{ type, data: read }], {
          correlationId: uuidv7(),
          causationId: uuidv7(),
          actor: `${this.config.agencyId}/${user}`,
          classification: 'AMBER',
          handling: ['personal-data'],
          releasableTo: [],
        });
        return result;
      }),
    );
  }
}
