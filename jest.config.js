/**
 * Jest runs the TypeScript sources as ESM through ts-jest. package.json pins light-my-request (what
 * Fastify's inject() uses) to 6.6: later releases require the ESM-only cookie 2, which Jest's module
 * runtime cannot load from CommonJS.
 */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
};
