// The shapes the console's API answers with (see the OpenAPI document at /docs).

export type PersonState = 'disclosed' | 'redacted' | 'erased';

export interface PersonView {
  state: PersonState;
  ref?: string;
  digest?: string;
  name?: string;
  aliases?: string[];
  birthDate?: string;
  nationality?: string;
  passports?: { number: string; country: string }[];
  personId?: string;
}

export interface FeedItem {
  seq: number;
  eventId: string;
  agency: string;
  role: string;
  type: string;
  classification: string;
  handling: string[];
  time: string;
  receivedAt: string;
  sentence: string;
  countries: string[];
  subject: string;
  correlationId: string;
  causationId: string;
  actor: string;
  sequence: number | null;
  primaryEntity: string | null;
  entities: string[];
  data: Record<string, unknown>;
  persons: { at: string; view: PersonView }[];
  withdrawn: { at: string; reason: string } | null;
}

export interface FeedPage {
  items: FeedItem[];
  head: number;
  nextBefore: number | null;
}

export interface FeedFacets {
  agencies: string[];
  types: string[];
  countries: string[];
  markings: string[];
}

export interface FeedFilter {
  agency?: string;
  type?: string;
  country?: string;
  marking?: string;
}

export interface Session {
  user: string;
  agency: string;
  roles: string[];
  expiresAt: string;
}

export interface VictimCounts {
  rescued: number;
  repatriated: number;
  stillTracked: number;
}

export interface VictimsDashboard {
  totals: VictimCounts;
  byCountry: ({ country: string } & VictimCounts)[];
  overTime: ({ month: string } & VictimCounts)[];
  freedInRescues: { country: string; persons: number; rescues: number }[];
}

export interface AlertsDashboard {
  byCheckpoint: { checkpoint: string; raised: number; confirmed: number; dismissed: number; total: number }[];
}

export interface SuspectsDashboard {
  byStatus: { status: string; count: number }[];
  byRole: { role: string; count: number }[];
}

export interface LagDashboard {
  consumer: string;
  partitions: { topic: string; sender: string; partition: number; high: number; low: number; committed: number | null; lag: number }[];
  total: number;
  at: string;
}

export interface MatchInfo {
  reason: string;
  score: number;
  /** Absent when withheld: it names people and passports. */
  explanation?: string;
  withheld?: string;
}

export interface RecordSummary {
  entity: string;
  kind: string;
  agency: string;
  id: string;
  title: string;
  status: string | null;
  person: PersonView | null;
  details: Record<string, unknown>;
}

export interface TimelineEntry extends FeedItem {
  cause: { eventId: string; seq: number | null; sentence: string | null; agency: string | null; inTimeline: boolean };
}

export interface Dossier {
  root: RecordSummary;
  records: RecordSummary[];
  matches: { from: string; to: string; relation: string; match: MatchInfo; eventId: string; seq: number; agency: string | null; sentence: string | null; time: string | null }[];
  relations: { from: string; to: string; relation: string; match: MatchInfo | null; eventId: string; seq: number }[];
  timeline: TimelineEntry[];
}

/** An error answer (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: string[];
}
