// One Jest run covers every project. The suffix says what a test needs:
//   *.spec.ts       pure unit tests, no I/O
//   *.int-spec.ts   real Kafka and real Postgres
//   *.e2e-spec.ts   several services over HTTP and Kafka
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

const esmPackages = [
  '@nestjs', 'file-type', 'strtok3', 'token-types', 'uint8array-extras', '@tokenizer', '@borewit',
  'load-esm', 'ansis', '@standard-schema', 'libphonenumber-js', 'formidable', 'tinyglobby', 'fdir',
];

const common = {
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tests'],
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', swc] },
  // NestJS 12 and a few of its dependencies ship only ES modules; Jest on Node 20 cannot require
  // them natively, so they are compiled to CommonJS like our own sources.
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@interlink/(police|immigration|foreign-ministry)/read-model$': '<rootDir>/services/$1/src/read-model',
    '^@interlink/(.*)$': '<rootDir>/libs/$1/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.js',
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
