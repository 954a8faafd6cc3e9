export * from './consuming';
export * from './logging';
export * from './metrics';
export * from './settings';
export * from './tracing';
