import { defineEvent } from '../registry';
import { AgencyRef, MATCH_FIELDS, MatchInfo, PERSON_FIELDS, Person, agencyRef, countryCode, isoDate, matchInfo, object, oneOf, person, text, uuid } from '../schema-parts';
import { SUSPECT_ROLES, SuspectRole } from '../police/suspect-roles';

/** Who told the ministry that a citizen is missing or held abroad. */
export const REPORTERS = ['relative', 'mp-office', 'police', 'self', 'embassy', 'ngo'] as const;
export type Reporter = (typeof REPORTERS)[number];

export interface VictimReported {
  caseId: string;
  person: Person;
  reportedBy: Reporter;
  /** e.g. "Beruas MP service centre"; who to call back. */
  reporter?: string;
  lastKnownCountry?: string;
  circumstances?: string;
  reportedOn: string;
}
export const VictimReported = defineEvent<VictimReported>()({
  type: 'intel.foreign-ministry.victim-reported',
  version: 1,
  personal: [{ at: 'person', fields: PERSON_FIELDS, ref: 'caseId' }],
  schema: object(
    { caseId: uuid, person, reportedBy: oneOf(REPORTERS), reportedOn: isoDate },
    { reporter: text(), lastKnownCountry: countryCode, circumstances: text(2000) },
  ),
});

export interface VictimLocated {
  caseId: string;
  country: string;
  place?: string;
  locatedOn: string;
}
export const VictimLocated = defineEvent<VictimLocated>()({
  type: 'intel.foreign-ministry.victim-located',
  version: 1,
  schema: object({ caseId: uuid, country: countryCode, locatedOn: isoDate }, { place: text() }),
});

export interface VictimRescued {
  caseId: string;
  country: string;
  place?: string;
  rescuedOn: string;
  /** The police rescue this was reconciled with, and how the person was matched. */
  rescue?: AgencyRef;
  match?: MatchInfo;
}
export const VictimRescued = defineEvent<VictimRescued>()({
  type: 'intel.foreign-ministry.victim-rescued',
  version: 1,
  personal: [{ at: 'match', fields: MATCH_FIELDS, ref: 'caseId' }],
  schema: object({ caseId: uuid, country: countryCode, rescuedOn: isoDate }, { place: text(), rescue: agencyRef, match: matchInfo }),
});

export interface RepatriationArranged {
  caseId: string;
  /** Who will arrive, for the checkpoints to recognise. */
  person: Person;
  expectedOn: string;
  checkpoint?: string;
}
export const RepatriationArranged = defineEvent<RepatriationArranged>()({
  type: 'intel.foreign-ministry.repatriation-arranged',
  version: 1,
  personal: [{ at: 'person', fields: PERSON_FIELDS, ref: 'caseId' }],
  schema: object({ caseId: uuid, person, expectedOn: isoDate }, { checkpoint: text(80) }),
});

export interface VictimRepatriated {
  caseId: string;
  returnedOn: string;
  checkpoint: string;
  crossing: AgencyRef;
}
export const VictimRepatriated = defineEvent<VictimRepatriated>()({
  type: 'intel.foreign-ministry.victim-repatriated',
  version: 1,
  schema: object({ caseId: uuid, returnedOn: isoDate, checkpoint: text(80), crossing: agencyRef }),
});

export interface CaseClosed {
  caseId: string;
  reason: string;
}
export const CaseClosed = defineEvent<CaseClosed>()({
  type: 'intel.foreign-ministry.case-closed',
  version: 1,
  schema: object({ caseId: uuid, reason: text(500) }),
});

/** Police identified as a suspect a person with an open victim case: the ministry must decide. */
export interface CaseFlaggedForReview {
  caseId: string;
  suspect: AgencyRef;
  role: SuspectRole;
  match: MatchInfo;
}
export const CaseFlaggedForReview = defineEvent<CaseFlaggedForReview>()({
  type: 'intel.foreign-ministry.case-flagged-for-review',
  version: 1,
  // The explanation quotes the police suspect's data: keyed by the suspect, so that when police
  // erase the suspect the ministry erases its copy under the same record id.
  personal: [{ at: 'match', fields: MATCH_FIELDS, ref: 'suspect.id' }],
  schema: object({ caseId: uuid, suspect: agencyRef, role: oneOf(SUSPECT_ROLES), match: matchInfo }),
});

export const RECLASSIFICATIONS = ['victim', 'suspect'] as const;
export type Reclassification = (typeof RECLASSIFICATIONS)[number];

/** The ministry's decision on a flagged case: still a victim, or involved with the syndicate. */
export interface CaseReclassified {
  caseId: string;
  outcome: Reclassification;
  note: string;
}
export const CaseReclassified = defineEvent<CaseReclassified>()({
  type: 'intel.foreign-ministry.case-reclassified',
  version: 1,
  schema: object({ caseId: uuid, outcome: oneOf(RECLASSIFICATIONS), note: text(1000) }),
});
