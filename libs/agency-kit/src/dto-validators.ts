import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateBy, ValidateNested, isISO8601 } from 'class-validator';

/**
 * A field holding one object of a DTO class, validated field by field. class-validator's
 * ValidateNested alone lets a missing value through and treats an array as a list of such
 * objects, so a handler would read fields of undefined; the object check refuses a missing
 * value, null, a list or a scalar by name. Put IsOptional() before it when the object may be left out.
 */
export function IsNestedObject(type: () => Function): PropertyDecorator {
  return applyDecorators(IsObject({ message: '$property must be an object' }), ValidateNested(), Type(type));
}

/** A field holding a list of objects of a DTO class, each validated field by field. */
export function IsNestedList(type: () => Function, size: { min?: number; max: number }): PropertyDecorator {
  return applyDecorators(
    IsArray({ message: '$property must be a list' }),
    ...(size.min ? [ArrayMinSize(size.min)] : []),
    ArrayMaxSize(size.max),
    IsObject({ each: true, message: 'each item of $property must be an object' }),
    ValidateNested({ each: true }),
    Type(type),
  );
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// The years that class-validator's ISO 8601 check, JavaScript's ISO form and Postgres all read alike (UTC).
const EARLIEST = Date.parse('0100-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** Whether `value` is a date-time with a time zone that exists and that Postgres can store. */
export function isDateTime(value: unknown): boolean {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || !isISO8601(value, { strict: true })) return false;
  const at = Date.parse(value);
  return at >= EARLIEST && at <= LATEST;
}

/**
 * A moment: date and time with its zone (Z or an offset), e.g. 2023-10-19T08:15:00Z. ISO 8601
 * alone also allows week and ordinal dates (2023-W01, 2023-100), which JavaScript cannot read.
 */
export function IsDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: isDateTime,
      defaultMessage: (args) => `${args?.property} must be a date and time with its zone between the years 100 and 9999, e.g. 2023-10-19T08:15:00Z`,
    },
  });
}
