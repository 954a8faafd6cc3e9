export * from './raid-conducted';
export * from './suspect-case-events';
export * from './suspect-identified';
export * from './suspect-roles';
export * from './suspect-sighted';
export * from './syndicate-identified';
export * from './victims-rescued';
