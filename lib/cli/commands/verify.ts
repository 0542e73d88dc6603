/** `npm run ops -- verify --base URL`: probes a deployment or the preview and compares with the engine (lib/ops/verify.ts). */
import { normaliseCountry } from '../../../lambda/engine';
import { UsageError } from '../../config/problems';
import { verify } from '../../ops/verify';
import { intOption, stringOption } from '../args';
import { Command, noPositionals } from '../command';
import { CONFIG_OPTIONS, configFilesOf } from '../options';

/** `--country`: a two-letter code, or "none" (the empty string: no country). */
function viewerCountryOf(cc: string | undefined): string | undefined {
  if (cc === undefined) return undefined;
  const viewerCountry = cc.toLowerCase() === 'none' ? '' : normaliseCountry(cc);
  if (viewerCountry === '' && cc.toLowerCase() !== 'none')
    throw new UsageError(`--country ${JSON.stringify(cc)} is not a two-letter country code such as GB, or "none"`);
  return viewerCountry;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    'probe a deployment or the preview with the contract, the rules file walked on every site and a bulk sample; compare with the engine',
  invocation: 'npm run ops -- verify --base URL',
  description: `Sends the contract's examples, the rules file walked on every site and a sample of
the bulk list to URL and compares every status and Location with what the engine
decides for the config. The walk: each hostname's root (each configured country
and none on region-path sites), and each rule with an example made from its
source, on the sites it applies to. A wildcard hostname such as *.po.co is
probed as the sample name any-name.po.co. Redirects are not followed, except
one hop to the frozen site (in.po.co), which must answer as its snapshot folder
does: 200 for a page it has, 404 for one it lacks (200 or 404 when the folder
is not on this machine). Probes of the frozen site itself expect the same.
  --base https://po.co             production: each probe to its own hostname
  --base http://127.0.0.1:8787     the preview (npm start): Host header per probe
--country CC gives the country CloudFront sees for this machine (production only;
"none" for an unknown country); without it a country-dependent probe accepts any
configured country's answer.`,
  options: {
    base: { kind: 'string', value: 'URL', help: 'where to send the probes (required)' },
    ...CONFIG_OPTIONS,
    sample: { kind: 'string', value: 'N', help: 'bulk entries probed, spread over the list', default: '50' },
    country: { kind: 'string', value: 'CC', help: 'the country CloudFront sees for this machine' },
    concurrency: { kind: 'string', value: 'N', help: 'probes in flight', default: '8' },
    timeout: { kind: 'string', value: 'S', help: 'seconds to wait for each answer', default: '10' },
    verbose: { kind: 'boolean', help: 'print matching probes too' },
  },
  exitStatus: '0 when every probe matches, 1 on any mismatch or failed probe, 2 on bad options or config.',
  async run(args, io) {
    const base = stringOption(args.options.base);
    if (!base) throw new UsageError('--base URL is required');
    noPositionals(args);
    const viewerCountry = viewerCountryOf(stringOption(args.options.country));
    const report = await verify(
      {
        base,
        ...configFilesOf(args),
        sample: intOption(args.options.sample, 'sample', 50, 0, 1_000_000),
        viewerCountry,
        concurrency: intOption(args.options.concurrency, 'concurrency', 8, 1, 64),
        timeoutMs: intOption(args.options.timeout, 'timeout', 10, 1, 300) * 1000,
        verbose: args.options.verbose === true,
      },
      (line) => io.stdout.write(line + '\n'),
    );
    return report.mismatches + report.failures > 0 ? 1 : 0;
  },
};
