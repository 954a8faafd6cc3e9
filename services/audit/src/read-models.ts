import { Projection } from '@interlink/projections';
import { FOREIGN_MINISTRY_READ_MODEL } from '@interlink/foreign-ministry/read-model';
import { IMMIGRATION_READ_MODEL } from '@interlink/immigration/read-model';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { AuditedRole } from './config';

/** Each agency's read models, with the agency's own projection code, for replays. */
export const READ_MODELS: Record<AuditedRole, { entities: Function[]; projections: Projection[] }> = {
  police: POLICE_READ_MODEL,
  immigration: IMMIGRATION_READ_MODEL,
  'foreign-ministry': FOREIGN_MINISTRY_READ_MODEL,
};

export const ALL_READ_MODEL_ENTITIES: Function[] = Object.values(READ_MODELS).flatMap((m) => m.entities);
