import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { hostileInput } from './hostile-input';

/**
 * Refuses, with a 400 naming the field, what no handler can take: text Postgres cannot store in
 * the body, the query or the path, and bodies nested deeper than the limit. It runs before
 * validation, so class-transformer never walks a hostile body and nothing is decided on it.
 */
@Injectable()
export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const problem = hostileInput(value, metadata.type, metadata.data);
    if (problem) throw new BadRequestException([problem]);
    return value;
  }
}
