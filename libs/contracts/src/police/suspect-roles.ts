export const SUSPECT_ROLES = ['recruiter', 'operator', 'sponsor', 'ringleader', 'money-mule', 'unknown'] as const;
export type SuspectRole = (typeof SUSPECT_ROLES)[number];

export const SCAM_TYPES = [
  'bank-impersonation',
  'official-impersonation',
  'job-scam',
  'investment-scam',
  'romance-scam',
  'online-gambling',
  'other',
] as const;
export type ScamType = (typeof SCAM_TYPES)[number];
