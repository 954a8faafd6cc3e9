import { requestCorrelation, routeOf } from './request-telemetry';

const command = '01900000-0000-7000-8000-00000000c0de';
const thread = '01900000-0000-7000-8000-0000000000c1';
const header = '01900000-0000-7000-8000-0000000000a1';

describe('requestCorrelation', () => {
  it("takes the command's correlationId first, with the command id as causation", () => {
    expect(requestCorrelation({ headers: { 'x-correlation-id': header }, body: { commandId: command, correlationId: thread } })).toEqual({ correlationId: thread, causationId: command });
  });

  it('then an X-Correlation-Id header, then the command id', () => {
    expect(requestCorrelation({ headers: { 'x-correlation-id': header.toUpperCase() }, body: { commandId: command } })).toEqual({ correlationId: header, causationId: command });
    expect(requestCorrelation({ headers: {}, body: { commandId: command } })).toEqual({ correlationId: command, causationId: command });
  });

  it('ignores what is not a UUID (a header another system made, a malformed body) and makes a new id when nothing is left', () => {
    const made = requestCorrelation({ headers: { 'x-correlation-id': ['a', 'b'] }, body: { correlationId: 'thread-7', commandId: 42 } });
    expect(made).toEqual({ correlationId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    expect(requestCorrelation({ headers: { 'x-correlation-id': `${header}\nforged: line` }, body: undefined }).correlationId).not.toContain('forged');
  });
});

describe('routeOf', () => {
  it('is the pattern the request matched, never its URL', () => {
    expect(routeOf({ route: { path: '/suspects/:suspectId' } })).toBe('/suspects/:suspectId');
    expect(routeOf({ baseUrl: '/v1', route: { path: '/raids' } })).toBe('/v1/raids');
  });

  it('is "unmatched" for a request no route matched', () => {
    expect(routeOf({})).toBe('unmatched');
    expect(routeOf({ route: { path: /regex/ } })).toBe('unmatched');
  });
});
