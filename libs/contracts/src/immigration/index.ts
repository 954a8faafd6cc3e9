export * from './border-crossing';
export * from './victim-return';
export * from './watchlist';
