/** Temporary folders for a test file, removed when the file's tests are done. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
