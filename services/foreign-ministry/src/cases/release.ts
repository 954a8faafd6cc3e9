import { Release } from '@interlink/agency-kit';
import { ForeignMinistry } from '@interlink/contracts';
import { CaseEvent } from './case.decider';

/** Immigration needs the arrangement to recognise the victim at the checkpoint; the task force counts it. */
export const REPATRIATION_RELEASE: Release = { classification: 'AMBER', to: ['immigration', 'task-force'], handling: ['personal-data', 'victim-identity'] };
/** Victims' cases go to no other agency; the task force follows them without personal data (it is redacted for it). */
export const CASE_RELEASE: Release = { classification: 'AMBER', to: ['task-force'], handling: ['personal-data', 'victim-identity'] };

export const caseRelease = (event: CaseEvent): Release => (event.type === ForeignMinistry.RepatriationArranged.type ? REPATRIATION_RELEASE : CASE_RELEASE);
