import { EVENT_CATALOGUE, interlinkRegistry } from './catalogue';

describe('the event catalogue', () => {
  it('names every type intel.<role>.<event-name> after the agency role that publishes it', () => {
    for (const { type } of EVENT_CATALOGUE) {
      expect(type).toMatch(/^intel\.(police|immigration|foreign-ministry)\.[a-z]+(-[a-z]+)*$/);
    }
  });

  it('compiles every schema and registers each type once', () => {
    const registry = interlinkRegistry();
    expect(registry.types()).toHaveLength(EVENT_CATALOGUE.length);
    expect(EVENT_CATALOGUE.length).toBeGreaterThanOrEqual(25);
  });

  it('rejects a suspect without a role and a passport with a bad country, naming the field', () => {
    const registry = interlinkRegistry();
    const person = { name: 'Lee Chong Wei', passports: [{ number: 'A12345678', country: 'Malaysia' }] };
    expect(() => registry.validateData('intel.police.suspect-identified', 1, { suspectId: '018f3f5e-1c2d-7a00-8000-000000000001', person })).toThrow(
      /must have required property 'role'.*\/person\/passports\/0\/country must match pattern/,
    );
  });
});
