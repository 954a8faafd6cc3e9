import * as access from './access';
import { EventDefinition, EventRegistry } from './registry';
import * as immigration from './immigration';
import * as ministry from './foreign-ministry';
import * as police from './police';

function definitionsIn(module: Record<string, unknown>): EventDefinition<unknown>[] {
  return Object.values(module).filter(
    (value): value is EventDefinition<unknown> =>
      typeof value === 'object' && value !== null && 'type' in value && 'schema' in value && 'version' in value,
  );
}

/** Every event type Interlink agencies publish. */
export const EVENT_CATALOGUE: EventDefinition<unknown>[] = [
  ...definitionsIn(police),
  ...definitionsIn(immigration),
  ...definitionsIn(ministry),
  ...definitionsIn(access),
];

export function interlinkRegistry(): EventRegistry {
  return new EventRegistry(EVENT_CATALOGUE);
}
