import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, mergeMap } from 'rxjs';
import { DataSource } from 'typeorm';
import { statedPurpose } from '@interlink/agency-kit';

/** Marks an audit route that returns personal data (histories, replays, exports). */
export const ReadsPersonalData = () => SetMetadata('interlink:audit-personal-data', true);

/** Auditors state why they read personal data (`X-Purpose`); each read is kept in `audit.access_log`. */
@Injectable()
export class AuditAccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>('interlink:audit-personal-data', context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest();
    const purpose = statedPurpose(request, 'inquiry 2024/3 into the La Molina case');
    return next.handle().pipe(
      mergeMap(async (result) => {
        await this.dataSource.query(`INSERT INTO audit.access_log (reader, request, purpose) VALUES ($1, $2, $3)`, [
          `${request.user?.agency ?? '?'}/${request.user?.sub ?? '?'}`,
          String(request.originalUrl ?? request.url).slice(0, 2000),
          purpose,
        ]);
        return result;
      }),
    );
  }
}
