/** Jest setup of every test file (jest.config.js `setupFilesAfterEnv`). */
import { templateSerializer } from './snapshot';

// Snapshots of a Template mask asset and code hashes (test/support/snapshot.ts).
expect.addSnapshotSerializer(templateSerializer);
