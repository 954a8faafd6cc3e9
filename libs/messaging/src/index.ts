export * from './consumer';
export * from './decode';
export * from './kafka-config';
export * from './relay';
export * from './schema';
export * from './topics';
