import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, ValidationError, validateSync } from 'class-validator';
import { IsDateTime, IsNestedList, IsNestedObject, isDateTime } from './dto-validators';

class Passport {
  @IsString() number!: string;
}

class Traveller {
  @IsNestedObject(() => Passport) passport!: Passport;
  @IsOptional() @IsNestedObject(() => Passport) spare?: Passport;
  @IsOptional() @IsNestedList(() => Passport, { min: 1, max: 2 }) others?: Passport[];
  @IsOptional() @IsDateTime() crossedAt?: string;
}

/** Every message, with the path of the field it is about. */
function problems(plain: unknown): string[] {
  const flatten = (errors: ValidationError[], at: string): string[] =>
    errors.flatMap((e) => [...Object.values(e.constraints ?? {}).map((m) => `${at}${e.property}: ${m}`), ...flatten(e.children ?? [], `${at}${e.property}.`)]);
  return flatten(validateSync(plainToInstance(Traveller, plain) as object, { whitelist: true, forbidNonWhitelisted: true }), '');
}

describe('nested DTO fields', () => {
  it('take an object of the class, validated field by field', () => {
    expect(problems({ passport: { number: 'A1' }, others: [{ number: 'B2' }] })).toEqual([]);
    expect(problems({ passport: { number: 7 } })).toEqual(['passport.number: number must be a string']);
  });

  it('refuse a required object that is missing, null, a list or a scalar, naming it', () => {
    for (const passport of [undefined, null, [{ number: 'A1' }], 'A1', 7, true]) {
      expect(problems({ passport })).toContain('passport: passport must be an object');
    }
  });

  it('let an optional object be left out, and refuse it when it is of the wrong kind', () => {
    expect(problems({ passport: { number: 'A1' }, spare: null })).toEqual([]);
    expect(problems({ passport: { number: 'A1' }, spare: [] })).toContain('spare: spare must be an object');
  });

  it('refuse a list whose items are not objects, or that is not a list, or of the wrong size', () => {
    expect(problems({ passport: { number: 'A1' }, others: [null] })).toContain('others: each item of others must be an object');
    expect(problems({ passport: { number: 'A1' }, others: [[{ number: 'B2' }]] })).toContain('others: each item of others must be an object');
    expect(problems({ passport: { number: 'A1' }, others: { number: 'B2' } })).toContain('others: others must be a list');
    expect(problems({ passport: { number: 'A1' }, others: [] })).toContain('others: others must contain at least 1 elements');
  });
});

describe('date-times', () => {
  it('take a date and time with its zone that Postgres can store', () => {
    for (const ok of ['2023-10-19T08:15:00Z', '2023-10-19T08:15Z', '2023-10-19T08:15:00.123456Z', '2023-10-19T16:15:00+08:00', '1000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      expect([ok, isDateTime(ok)]).toEqual([ok, true]);
    }
  });

  it('refuse week and ordinal dates, dates without a time or zone, impossible dates, and years outside 100 to 9999', () => {
    const refused = ['2023-W01', '2023-100', '2023-10-19', '2023-10-19T08:15:00', '2023-10-19 08:15:00Z', '2023-02-29T00:00:00Z', '2023-10-19T24:00:00Z', '0000-12-31T00:00:00Z', '0100-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '+275760-09-13T00:00:00Z', 20231019, null];
    for (const bad of refused) expect([bad, isDateTime(bad)]).toEqual([bad, false]);
    expect(problems({ passport: { number: 'A1' }, crossedAt: '2023-W01' })).toEqual([
      'crossedAt: crossedAt must be a date and time with its zone between the years 100 and 9999, e.g. 2023-10-19T08:15:00Z',
    ]);
  });
});
