import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { hostileInput } from './hostile-input';

/**
 * Refuses, with a 400 naming the field, what no handler can take: text Postgres cannot store in
 * the body, the query or the path, bodies nested deeper than the limit, and a list where a DTO's
 * object belongs. It runs before validation, so class-transformer never walks a hostile body and
 * nothing is decided on it.
 */
@Injectable()
export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // A list where a DTO's object belongs would otherwise be refused field by field, as if empty.
    if (metadata.type === 'body' && Array.isArray(value) && typeof metadata.metatype === 'function' && metadata.metatype !== Array) {
      throw new BadRequestException(['the body must be a JSON object with the fields of the request, not a list']);
    }
    const problem = hostileInput(value, metadata.type, metadata.data);
    if (problem) throw new BadRequestException([problem]);
    return value;
  }
}
