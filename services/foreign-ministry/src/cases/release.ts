import { Release } from '@interlink/agency-kit';
import { ForeignMinistry } from '@interlink/contracts';
import { CaseEvent } from './case.decider';

/** Immigration needs the arrangement to recognise the victim at the checkpoint, and nothing else of the case. */
export const REPATRIATION_RELEASE: Release = { classification: 'AMBER', to: ['immigration'], handling: ['personal-data', 'victim-identity'] };
/** Victims' cases stay with the ministry. */
export const CASE_RELEASE: Release = { classification: 'AMBER', to: [] };

export const caseRelease = (event: CaseEvent): Release => (event.type === ForeignMinistry.RepatriationArranged.type ? REPATRIATION_RELEASE : CASE_RELEASE);
