import { Release } from '@interlink/agency-kit';

/** Alerts go to police, who hold the suspect, and to the task force (without the traveller's personal data). */
export const ALERT_RELEASE: Release = { classification: 'AMBER', to: ['police', 'task-force'], handling: ['law-enforcement-only', 'personal-data'] };
