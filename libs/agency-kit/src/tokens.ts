export const AGENCY_CONFIG = Symbol('AGENCY_CONFIG');
export const KAFKA = Symbol('KAFKA');
