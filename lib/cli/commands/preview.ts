/** `npm start` / `npm run ops -- preview`: the local preview server (lib/ops/preview.ts) until interrupted. */
import { DEFAULT_PREVIEW_PORT, PREVIEW_ADDRESS, startPreview } from '../../ops/preview';
import { intOption } from '../args';
import type { Command } from '../command';
import { CONFIG_OPTIONS, configFilesOf } from '../options';

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const previewCommand: Command = {
  name: 'preview',
  summary: `serve every configured hostname on http://${PREVIEW_ADDRESS}:PORT through the deployed bundle (npm start)`,
  invocation: 'npm start --',
  description: `Serves every hostname of the sites file on http://${PREVIEW_ADDRESS}:PORT (a wildcard hostname
such as *.po.co: any name one label below it, unless another site names it), answering through
the bundle the stack deploys, with the origin-request event CloudFront would build for
each site. Choose the site with the Host header and the country with a
CloudFront-Viewer-Country header:
  curl -si -H 'Host: po.co' -H 'CloudFront-Viewer-Country: GB' http://${PREVIEW_ADDRESS}:${DEFAULT_PREVIEW_PORT}/
Prints one line per request. Nothing is cached. Stop with Ctrl-C.
Also run as: npm run ops -- preview [options]`,
  options: {
    ...CONFIG_OPTIONS,
    port: { kind: 'string', value: 'N', help: 'port; 0 picks a free one', default: `PORT, else ${DEFAULT_PREVIEW_PORT}` },
  },
  exitStatus: '0 when stopped by a signal, 1 when the port cannot be used, 2 on bad options or config.',
  async run(args, io) {
    const port = intOption(args.options.port ?? (process.env.PORT || undefined), 'port (or PORT)', DEFAULT_PREVIEW_PORT, 0, 65535);
    const preview = await startPreview({ ...configFilesOf(args), port, log: (line) => io.stdout.write(line + '\n') });
    io.stdout.write(
      `preview: bundle ${(preview.bundleBytes / 1024).toFixed(1)} KiB; serving\n${preview.sites.map((s) => `  ${s}\n`).join('')}`,
    );
    io.stdout.write(`preview: listening on ${preview.url} (try: curl -si -H 'Host: po.co' ${preview.url}/uk/)\n`);
    await untilStopped();
    await preview.close();
    io.stdout.write('preview: stopped\n');
    return 0;
  },
};
