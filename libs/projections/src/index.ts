export * from './bulk-write';
export * from './memory-tables';
export * from './projection';
export * from './projection-runner';
export * from './schema';
