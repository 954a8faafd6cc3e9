import { Release } from '@interlink/agency-kit';

/** Suspects are shared with immigration (watchlist) and the foreign ministry (victim cases). */
export const SUSPECT_RELEASE: Release = { classification: 'AMBER', to: ['immigration', 'foreign-ministry'], handling: ['law-enforcement-only', 'personal-data'] };
/** Sightings stay with police: immigration already knows, and nobody else needs them. */
export const SIGHTING_RELEASE: Release = { classification: 'AMBER', to: [] };
