export * from './acls';
export * from './consumer';
export * from './decode';
export * from './kafka-config';
export * from './parked';
export * from './relay';
export * from './schema';
export * from './topics';
