export * from './case-file';
export * from './database';
export * from './envelopes';
export * from './given-when-then';
export * from './kafka';
export * from './names';
export * from './processes';
export * from './wait';
