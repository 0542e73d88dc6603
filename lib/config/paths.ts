/** Where the project is: config files, lambda/ and the CDK app are found from here. */
import * as path from 'path';

/** The project's root folder (the one holding package.json). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
