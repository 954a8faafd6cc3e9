export * from './database';
export * from './errors';
export * from './event-store';
export * from './log-follower';
export * from './log-position';
export * from './migrations';
export * from './notifications';
export * from './schema';
