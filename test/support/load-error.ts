/** Test helper: the lines of the `ConfigError` that loading a sites file and a bulk list (in a temporary folder) throws. */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/problems';
import { tmpDir } from './tmp';

function tmp(files: Record<string, string>): string {
  const dir = tmpDir('poco-config-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The error's lines, with the temporary folder left out of file names (`sites.json`, `list.csv`). */
export function loadError(sitesText: string, csv: string): string[] {
  const dir = tmp({ 'sites.json': sitesText, 'list.csv': csv });
  try {
    loadConfig({ sitesFile: path.join(dir, 'sites.json'), redirectsFile: path.join(dir, 'list.csv') });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n').map((l) => l.split(dir + path.sep).join(''));
  }
  throw new Error('expected a ConfigError');
}
