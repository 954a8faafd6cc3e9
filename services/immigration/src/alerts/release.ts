import { Release } from '@interlink/agency-kit';

/** Alerts go to police, who hold the suspect. */
export const ALERT_RELEASE: Release = { classification: 'AMBER', to: ['police'], handling: ['law-enforcement-only', 'personal-data'] };
