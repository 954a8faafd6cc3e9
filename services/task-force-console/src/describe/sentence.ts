import { countryName } from './countries';
import { PersonView, personLabel, personView } from './persons';

export { countryName };

/** What a sentence is made from: who sent the event, its type and its payload. */
export interface SentenceInput {
  /** The sender's agency id, e.g. `police` or `kh-police`. */
  agency: string;
  /** The sender's role: `police`, `immigration`, `foreign-ministry`. */
  role: string;
  type: string;
  data: unknown;
}

type Json = Record<string, unknown>;

const ROLE_LABELS: Record<string, string> = { police: 'Police', immigration: 'Immigration', 'foreign-ministry': 'Foreign ministry', audit: 'Auditors' };

/** "Police", "Immigration", "Foreign ministry"; with the agency id when it is not the role's default one. */
export function agencyLabel(agency: string, role: string): string {
  const label = ROLE_LABELS[role] ?? capitalise(role.replace(/-/g, ' '));
  return agency === role ? label : `${label} (${agency})`;
}

const capitalise = (text: string) => (text ? text[0].toUpperCase() + text.slice(1) : text);
const words = (value: unknown) => (typeof value === 'string' ? value.replace(/-/g, ' ') : '');
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' && value.length > 0 ? value : fallback);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const date = (value: unknown): string => text(value).slice(0, 10);

function place(data: Json): string {
  return [text(data.place), text(data.city), data.country ? countryName(data.country) : ''].filter(Boolean).join(', ');
}

function matchPhrase(match: unknown): string {
  const m = obj(match);
  if (m.reason === 'passport') return 'passport';
  if (m.reason === 'name-and-birth-date') return 'name and birth date';
  return 'identity';
}

function person(value: unknown): PersonView {
  return personView(value);
}

/** How a person is named in a sentence: "Mohd Faizal" when disclosed, "a MY national (redacted, pseudonym 1a2b3c4d)" otherwise. */
function who(value: unknown): string {
  return personLabel(person(value));
}

type Phrase = (d: Json) => string;

/** What each event type says, without the agency: "watchlisted passport seen at KLIA, outbound". */
const PHRASES: Record<string, Phrase> = {
  'intel.police.syndicate-identified': (d) => {
    const scams = list(d.scamTypes).map(words).join(', ');
    const countries = list(d.countries).map(countryName).join(', ');
    return `syndicate "${text(d.name, 'unnamed')}" identified${scams ? ` (${scams})` : ''}${countries ? `, active in ${countries}` : ''}`;
  },
  'intel.police.suspect-identified': (d) => {
    const p = person(d.person);
    const role = words(d.role) || 'suspect';
    return p.state === 'disclosed'
      ? `${p.name} identified as a ${role}${d.syndicateId ? ' of a known syndicate' : ''}`
      : `${role} identified: ${who(d.person)}${d.syndicateId ? ', member of a known syndicate' : ''}`;
  },
  'intel.police.suspect-arrested': (d) => `suspect arrested at ${place(d) || 'an unnamed place'}${d.arrestedOn ? ` on ${date(d.arrestedOn)}` : ''}`,
  'intel.police.suspect-charged': (d) => `suspect charged under ${text(d.law, 'the law')}${d.section ? ` s. ${text(d.section)}` : ''}${d.court ? ` at ${text(d.court)}` : ''}`,
  'intel.police.suspect-convicted': (d) => `suspect convicted${d.sentence ? `: ${text(d.sentence)}` : ''}`,
  'intel.police.suspect-cleared': (d) => `suspect cleared${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.police.suspect-role-changed': (d) => `suspect's role changed from ${words(d.from) || 'unknown'} to ${words(d.to) || 'unknown'}`,
  'intel.police.suspect-marking-changed': (d) => `suspect's marking changed to TLP:${text(d.classification, '?')}${d.reason ? ` (${text(d.reason)})` : ''}`,
  'intel.police.suspect-sighted': (d) =>
    `suspect sighted at ${text(d.checkpoint, 'a checkpoint')}${d.direction ? `, ${text(d.direction)}` : ''} (${matchPhrase(d.match)} match)`,
  'intel.police.sighting-withdrawn': (d) => `sighting withdrawn${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.police.raid-conducted': (d) => `raid at ${place(d) || 'an unnamed place'}${d.partnerAgency ? ` with ${text(d.partnerAgency)}` : ''}`,
  'intel.police.victims-rescued': (d) => {
    const n = Array.isArray(d.persons) ? d.persons.length : 0;
    return `${n} ${n === 1 ? 'person' : 'people'} rescued at ${place(d) || 'an unnamed place'}`;
  },
  'intel.immigration.border-alert-raised': (d) => `watchlisted ${matchPhrase(d.match)} seen at ${text(d.checkpoint, 'a checkpoint')}${d.direction ? `, ${text(d.direction)}` : ''}`,
  'intel.immigration.border-alert-confirmed': (d) => `border alert confirmed by an officer${d.note ? `: ${text(d.note)}` : ''}`,
  'intel.immigration.border-alert-dismissed': (d) => `border alert dismissed${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.immigration.border-crossing-recorded': (d) => `${who(d.traveller)} crossed at ${text(d.checkpoint, 'a checkpoint')}${d.direction ? `, ${text(d.direction)}` : ''}`,
  'intel.immigration.victim-return-recorded': (d) => `returning victim arrived at ${text(d.checkpoint, 'a checkpoint')} (${matchPhrase(d.match)} match)`,
  'intel.immigration.return-expected': (d) => `victim's return expected${d.checkpoint ? ` at ${text(d.checkpoint)}` : ''}${d.expectedOn ? ` on ${date(d.expectedOn)}` : ''}`,
  'intel.immigration.watchlist-entry-added': (d) => `${d.role ? words(d.role) : 'person'} put on the watchlist: ${who(d.person)}`,
  'intel.immigration.watchlist-entry-amended': (d) => `watchlist entry amended: role now ${words(d.role) || 'unknown'}`,
  'intel.immigration.watchlist-entry-lifted': (d) => `watchlist entry lifted${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.immigration.watchlist-entry-withdrawn': (d) => `watchlist entry withdrawn${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.foreign-ministry.victim-reported': (d) => {
    const p = person(d.person);
    const subject = p.state === 'disclosed' ? p.name : p.nationality ? `citizen of ${countryName(p.nationality)}` : 'citizen';
    return `${subject} reported missing${d.reportedBy ? ` by ${reporter(d.reportedBy)}` : ''}${d.lastKnownCountry ? `, last known in ${countryName(d.lastKnownCountry)}` : ''}`;
  },
  'intel.foreign-ministry.victim-located': (d) => `victim located in ${place(d) || 'an unknown place'}`,
  'intel.foreign-ministry.victim-rescued': (d) => `victim rescued in ${place(d) || 'an unknown place'}${d.rescue ? ' (matched to a police rescue)' : ''}`,
  'intel.foreign-ministry.repatriation-arranged': (d) => `repatriation arranged${d.checkpoint ? `, expected at ${text(d.checkpoint)}` : ''}${d.expectedOn ? ` on ${date(d.expectedOn)}` : ''}`,
  'intel.foreign-ministry.victim-repatriated': (d) => `victim repatriated${d.checkpoint ? ` through ${text(d.checkpoint)}` : ''}${d.returnedOn ? ` on ${date(d.returnedOn)}` : ''}`,
  'intel.foreign-ministry.case-closed': (d) => `victim case closed${d.reason ? `: ${text(d.reason)}` : ''}`,
  'intel.foreign-ministry.case-flagged-for-review': (d) => `victim case flagged: matches a police ${words(d.role) || 'suspect'} (${matchPhrase(d.match)})`,
  'intel.foreign-ministry.case-reclassified': (d) => `victim case reclassified as ${d.outcome === 'suspect' ? 'a suspect' : 'a victim'}`,
};

const REPORTERS: Record<string, string> = { relative: 'a relative', 'mp-office': "an MP's office", police: 'the police', self: 'the victim', embassy: 'an embassy', ngo: 'an NGO' };

function reporter(value: unknown): string {
  return REPORTERS[text(value)] ?? (words(value) || 'someone');
}

/** "Immigration: watchlisted passport seen at KLIA, outbound": agency, then what happened, in plain words. */
export function describe(input: SentenceInput): string {
  const prefix = agencyLabel(input.agency, input.role);
  const phrase = PHRASES[input.type];
  if (phrase) {
    try {
      return `${prefix}: ${phrase(obj(input.data))}`;
    } catch {
      // A payload that does not have the expected shape still gets a sentence.
    }
  }
  if (/\.personal-data-erased$/.test(input.type)) {
    const d = obj(input.data);
    return `${prefix}: personal data of person record ${text(d.ref, '?').slice(-8)} erased${d.reason ? ` (${text(d.reason)})` : ''}`;
  }
  if (/\.personal-data-read$/.test(input.type)) {
    const d = obj(input.data);
    return `${prefix}: personal data read (${text(d.resource, 'records')}${typeof d.records === 'number' ? `, ${d.records} records` : ''})`;
  }
  const name = input.type.split('.').pop() ?? input.type;
  return `${prefix}: ${words(name) || input.type}`;
}
