export * from './case-file';
export * from './database';
export * from './kafka';
export * from './names';
export * from './wait';
