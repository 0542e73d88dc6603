/** `npm start` / `npm run ops -- preview`: the local preview server until interrupted. */
import { intOption, parseArgs, stringOption } from '../cli/args';
import type { Command } from '../cli/command';
import type { CliIo } from '../cli/io';
import { DEFAULT_PREVIEW_PORT, PREVIEW_ADDRESS, startPreview } from './preview';

export const previewCommand: Command = {
  name: 'preview',
  summary: `serve every configured hostname on http://${PREVIEW_ADDRESS}:PORT through the deployed bundle (npm start)`,
  usage: `Usage: npm start -- [--redirects FILE] [--sites FILE] [--rules FILE] [--catalog FILE] [--port N]
       npm run ops -- preview [same options]

Serves every hostname of the sites file on http://${PREVIEW_ADDRESS}:PORT (a wildcard hostname
such as *.po.co: any name one label below it, unless another site names it), answering through
the bundle the stack deploys, with the origin-request event CloudFront would build for
each site. Choose the site with the Host header and the country with a
CloudFront-Viewer-Country header:
  curl -si -H 'Host: po.co' -H 'CloudFront-Viewer-Country: GB' http://${PREVIEW_ADDRESS}:${DEFAULT_PREVIEW_PORT}/
Prints one line per request. Nothing is cached. Stop with Ctrl-C.

Options:
  --redirects FILE  bulk redirect list                        [config/redirects.csv]
  --sites FILE      sites file                                [config/sites.json]
  --rules FILE      rules file                                [config/rules.txt]
  --catalog FILE    store catalogue                           [config/catalog.json]
  --port N          port; 0 picks a free one                  [PORT, else ${DEFAULT_PREVIEW_PORT}]

Exit status: 0 when stopped by a signal, 1 when the port cannot be used, 2 on bad options or config.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { redirects: 'string', sites: 'string', rules: 'string', catalog: 'string', port: 'string' });
    const port = intOption(args.options.port ?? (process.env.PORT || undefined), 'port (or PORT)', DEFAULT_PREVIEW_PORT, 0, 65535);
    const preview = await startPreview({
      redirectsFile: stringOption(args.options.redirects),
      sitesFile: stringOption(args.options.sites),
      rulesFile: stringOption(args.options.rules),
      catalogFile: stringOption(args.options.catalog),
      port,
      log: (line) => io.stdout.write(line + '\n'),
    });
    io.stdout.write(`preview: bundle ${(preview.bundleBytes / 1024).toFixed(1)} KiB; serving\n${preview.sites.map((s) => `  ${s}\n`).join('')}`);
    io.stdout.write(`preview: listening on ${preview.url} (try: curl -si -H 'Host: po.co' ${preview.url}/uk/)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await preview.close();
    io.stdout.write('preview: stopped\n');
    return 0;
  },
};
