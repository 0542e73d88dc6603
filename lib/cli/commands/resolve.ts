/**
 * `npm run resolve`: where does a URL go? The same config loader, compiled
 * tables and engine as the Lambda@Edge bundle. One JSON object per URL; with
 * no URL, standard input, one `URL [COUNTRY]` per line (blank lines and `#`
 * comments skipped).
 */
import * as readline from 'readline';
import { Decision, normaliseCountry, RedirectEngine } from '../../../lambda/engine';
import { loadConfig } from '../../config/load';
import { UsageError } from '../../config/problems';
import { engineRequestOf, ParsedUrl, parseRawUrl, parseRequestLine } from '../../rules/request';
import { ParsedArgs, stringOption } from '../args';
import { Command } from '../command';
import type { CliIo } from '../io';
import { CONFIG_OPTIONS, configFilesOf } from '../options';

/** The JSON line printed for one URL. */
function formatResult(url: string, country: string, d: Decision): string {
  return JSON.stringify({ url, country: country || null, action: d.action, status: d.status, location: d.location, rule: d.rule });
}

/** Decides a parsed URL for a viewer country (`''` for none). */
type Decide = (url: ParsedUrl, country: string) => Decision;

/** --country, upper-cased; `''` when absent. */
function countryOf(args: ParsedArgs): string {
  const value = stringOption(args.options.country);
  if (value === undefined) return '';
  const country = normaliseCountry(value);
  if (!country) throw new UsageError(`--country ${JSON.stringify(value)} is not a two-letter country code such as GB`);
  return country;
}

/** --method, upper-cased; GET when absent. */
function methodOf(args: ParsedArgs): string {
  const value = stringOption(args.options.method) ?? 'GET';
  if (!/^[A-Za-z]+$/.test(value)) throw new UsageError(`--method ${JSON.stringify(value)} is not an HTTP method`);
  return value.toUpperCase();
}

/**
 * Resolves standard input, `URL [COUNTRY]` per line, `country` for lines
 * without one; printed in batches of 1,000. A bad line is reported with its
 * number and skipped; resolves to 2 when there was one, else 0.
 */
async function resolveStdin(io: CliIo, decide: Decide, country: string): Promise<number> {
  let status = 0;
  let lineNo = 0;
  let buffer: string[] = [];
  const rl = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    lineNo++;
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const request = parseRequestLine(text, country);
    if (typeof request === 'string') {
      io.stderr.write(`resolve: stdin:${lineNo}: ${request}\n`);
      status = 2;
      continue;
    }
    buffer.push(formatResult(request.url, request.country, decide(request.target, request.country)));
    if (buffer.length >= 1000) {
      io.stdout.write(buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length > 0) io.stdout.write(buffer.join('\n') + '\n');
  return status;
}

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'print where each URL goes, as JSON lines (npm run resolve)',
  invocation: 'npm run resolve --',
  positionals: '[URL...]',
  description: `Prints where each URL goes, one JSON object per line:
  {"url", "country", "action": "redirect"|"origin"|"respond", "status", "location", "rule"}
With no URL, reads standard input: one "URL [COUNTRY]" per line.`,
  options: {
    ...CONFIG_OPTIONS,
    country: { kind: 'string', value: 'CC', help: 'viewer country (ISO 3166 alpha-2) for every URL without its own' },
    method: { kind: 'string', value: 'M', help: 'HTTP method', default: 'GET' },
  },
  exitStatus: '0 when every URL resolved, 2 on bad input or config.',
  async run(args, io) {
    const country = countryOf(args);
    const method = methodOf(args);
    // Check every URL argument before loading anything, so bad input prints nothing to stdout.
    const parsed = args.positionals.map((u) => parseRawUrl(u));
    const bad = parsed.filter((p): p is string => typeof p === 'string');
    if (bad.length > 0) {
      for (const b of bad) io.stderr.write(`resolve: ${b}\n`);
      return 2;
    }
    const engine = new RedirectEngine(loadConfig(configFilesOf(args)).tables);
    const decide: Decide = (url, cc) => engine.decide(engineRequestOf(url, method, cc));
    if (args.positionals.length === 0) return resolveStdin(io, decide, country);
    io.stdout.write(args.positionals.map((u, i) => formatResult(u, country, decide(parsed[i] as ParsedUrl, country))).join('\n') + '\n');
    return 0;
  },
};
