import { Release } from '@interlink/agency-kit';

/**
 * Suspects are shared with immigration (watchlist), the foreign ministry (victim cases) and the
 * regional task force, which gets them without their personal data (pseudonymous ids).
 */
export const SUSPECT_RELEASE: Release = { classification: 'AMBER', to: ['immigration', 'foreign-ministry', 'task-force'], handling: ['law-enforcement-only', 'personal-data'] };
/** Sightings go to the task force's live picture; immigration already knows. */
export const SIGHTING_RELEASE: Release = { classification: 'AMBER', to: ['task-force'] };
