/**
 * Hostile input from ../shared/data/open-redirect (PayloadsAllTheThings,
 * MIT). Required: CI clones the project with ../shared beside it.
 */
import * as fs from 'fs';
import * as path from 'path';

const DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'open-redirect');

function lines(file: string): string[] {
  const full = path.join(DIR, file);
  if (!fs.existsSync(full)) {
    throw new Error(`${full} is missing: the safety tests need ../shared beside the project (CI provides it).`);
  }
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

export const PAYLOADS = lines('payloads.txt');
export const WORDLIST = lines('wordlist.txt');
