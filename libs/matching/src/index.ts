export { CANONICALISATION_RULES, canonicaliseToken } from './canonical';
export type { CanonicalisationRule } from './canonical';
export { bestMatch, matchPersons } from './match';
export { normaliseName } from './names';
export { normalisePassport } from './passport';
export type { Match, MatchReason, PersonRecord } from './types';
