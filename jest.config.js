/**
 * Jest runs the TypeScript sources as ESM through ts-jest. package.json pins light-my-request (what
 * Fastify's inject() uses) to 6.6: later releases require the ESM-only cookie 2, which Jest's module
 * runtime cannot load from CommonJS.
 *
 * Coverage (`npm run test:coverage`, what CI runs) uses V8's own counters, so the sources run
 * unchanged; it covers hooks/ and prints a summary, with the full report under coverage/.
 */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  // Most suites wait on JVMs, API servers and RocketMQ's timers rather than compute: two workers
  // (Jest's default is one on two cores) nearly halve the run on a 2-core machine.
  maxWorkers: 2,
  coverageProvider: 'v8',
  collectCoverageFrom: ['hooks/**/*.ts', '!hooks/schema/types.ts'],
  coverageReporters: ['text-summary', 'lcov'],
};
