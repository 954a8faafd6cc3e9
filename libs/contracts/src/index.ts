export * from './agencies';
export * from './decider';
export * from './envelope';
export * from './errors';
export * from './markings';
export * from './registry';
export * from './uuid';
