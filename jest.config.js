/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Snapshot serializers, registered once for every test file.
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  // Synth and bundling tests are CPU-bound; two workers match the CI machine.
  maxWorkers: 2,
  testTimeout: 120000,
};
