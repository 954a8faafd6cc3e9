export * from './victim-case';
