import { Projection } from '@interlink/projections';
import { VictimCaseRow } from './cases/case.entity';
import { casesProjection } from './cases/cases.projection';

/** The agency's read models: its service keeps them live, and the auditors replay them with this same code. */
export const FOREIGN_MINISTRY_READ_MODEL: { entities: Function[]; projections: Projection[] } = {
  entities: [VictimCaseRow],
  projections: [casesProjection],
};
