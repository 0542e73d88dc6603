/** `npm run ops -- catalog FILE...`: builds config/catalog.json from store sitemaps or URL lists (lib/ops/catalog.ts). */
import { DEFAULT_CATALOG_FILE, DEFAULT_SITES_FILE, displayName } from '../../config/load';
import { catalogFromFiles, checkInputFiles } from '../../ops/catalog';
import { stringOption } from '../args';
import type { Command } from '../command';
import { checkOutputFile, writeFileWhole } from '../io';
import { CONFIG_OPTIONS, pathOption, userPath } from '../options';

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'build config/catalog.json, the product slugs of each store, from store sitemaps or URL lists',
  invocation: 'npm run ops -- catalog',
  positionals: 'FILE...',
  description: `Builds the store catalogue: per store, the product slugs that have a page there.
Reads Xiaomi store sitemaps (<loc> elements) and plain URL lists (one URL a line;
blank lines and # comments skipped), gzip or plain. Keeps the URLs shaped
https://<host>/<region>/product/<slug>/... whose store (https://<host>/<region>/)
is the store of a region of the sites file; query strings and anything after the
slug are ignored, slugs are lower-cased. Every other URL is counted by reason and
skipped; the counts, with the first example of each, go to stderr.
The catalogue is written whole or not at all, stores and slugs sorted.`,
  options: {
    output: { kind: 'string', value: 'FILE', help: 'where to write the catalogue; - for stdout', default: 'config/catalog.json' },
    sites: CONFIG_OPTIONS.sites,
  },
  exitStatus: `0 when the catalogue was written, 1 when no URL gave a product page
of a configured store (nothing written), 2 on a missing or unreadable file or bad options.`,
  async run(args, io) {
    const files = args.positionals.map((f) => userPath(f));
    const output = pathOption(args.options.output) ?? DEFAULT_CATALOG_FILE;
    checkInputFiles(files);
    if (output !== '-') checkOutputFile('--output', output);
    const built = await catalogFromFiles(
      files,
      pathOption(args.options.sites) ?? DEFAULT_SITES_FILE,
      (line) => io.stderr.write(line + '\n'),
      args.positionals,
    );
    if (output === '-') io.stdout.write(built.json);
    else writeFileWhole(output, built.json);
    io.stderr.write(
      `catalog: wrote ${built.counts} to ${output === '-' ? 'stdout' : (stringOption(args.options.output) ?? displayName(output))}\n`,
    );
    return 0;
  },
};
