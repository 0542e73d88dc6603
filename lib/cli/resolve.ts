/**
 * The resolver: where does a URL go? Same config loader, same compiled
 * tables and same engine as the Lambda@Edge bundle.
 *
 *   npm run resolve -- [--redirects FILE] [--sites FILE] [--rules FILE] [--catalog FILE] [--country CC] [--method M] URL...
 *   (npm run ops -- resolve ...: lib/cli/poco.ts runs it)
 *
 * Prints one JSON object per URL. With no URL it reads standard input, one
 * `URL [COUNTRY]` per line (blank lines and `#` comments skipped).
 */
import * as readline from 'readline';
import { Decision, normaliseCountry, RedirectEngine } from '../../lambda/engine';
import { ConfigError } from '../config/problems';
import { loadConfig } from '../config/load';
import type { CliIo } from './io';

export const USAGE = `Usage: npm run resolve -- [options] [URL...]

Prints where each URL goes, one JSON object per line:
  {"url", "country", "action": "redirect"|"origin"|"respond", "status", "location", "rule"}
With no URL, reads standard input: one "URL [COUNTRY]" per line.

Options:
  --redirects FILE  bulk redirect list (Cloudflare CSV format)   [config/redirects.csv]
  --sites FILE      sites, regions and stores                    [config/sites.json]
  --rules FILE      rules file                                   [config/rules.txt]
  --catalog FILE    store catalogue                              [config/catalog.json]
  --country CC      viewer country (ISO 3166 alpha-2) for every URL without its own
  --method M        HTTP method                                  [GET]
  -h, --help        show this help

Exit status: 0 when every URL resolved, 2 on bad input or config.`;

export type { CliIo } from './io';

export interface ParsedUrl {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

/** Splits a URL without normalising it, so the engine sees the path as CloudFront would. */
export function parseRawUrl(url: string): ParsedUrl | string {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#\s]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(url);
  if (!m || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(m[2])) return `${JSON.stringify(url)} is not a URL; give one like https://po.co/uk/`;
  const scheme = (m[1] ?? 'https').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return `${JSON.stringify(url)} has scheme "${m[1]}"; only http and https reach CloudFront`;
  return { scheme, host: m[2], path: m[3] || '/', query: m[4] ?? '' };
}

interface Options {
  redirects?: string;
  sites?: string;
  rules?: string;
  catalog?: string;
  country?: string;
  method: string;
  urls: string[];
  help: boolean;
}

function parseArgs(argv: readonly string[]): Options | string {
  const opts: Options = { method: 'GET', urls: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
      continue;
    }
    if (arg === '--') {
      opts.urls.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-')) {
      opts.urls.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!['--redirects', '--sites', '--rules', '--catalog', '--country', '--method'].includes(name)) return `unknown option ${JSON.stringify(arg)}`;
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') return `${name} needs a value`;
    if (name === '--country') {
      if (!normaliseCountry(value)) return `--country ${JSON.stringify(value)} is not a two-letter country code such as GB`;
      opts.country = normaliseCountry(value);
    } else if (name === '--method') {
      if (!/^[A-Za-z]+$/.test(value)) return `--method ${JSON.stringify(value)} is not an HTTP method`;
      opts.method = value.toUpperCase();
    } else if (name === '--redirects') opts.redirects = value;
    else if (name === '--rules') opts.rules = value;
    else if (name === '--catalog') opts.catalog = value;
    else opts.sites = value;
  }
  return opts;
}

/** The JSON line printed for one URL. */
export function formatResult(url: string, country: string, d: Decision): string {
  return JSON.stringify({ url, country: country || null, action: d.action, status: d.status, location: d.location, rule: d.rule });
}

/** Runs the resolver; returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const opts = parseArgs(argv);
  if (typeof opts === 'string') {
    io.stderr.write(`resolve: ${opts}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  // Check every URL argument before loading anything, so bad input prints nothing to stdout.
  const parsed = opts.urls.map((u) => parseRawUrl(u));
  const bad = parsed.filter((p): p is string => typeof p === 'string');
  if (bad.length > 0) {
    for (const b of bad) io.stderr.write(`resolve: ${b}\n`);
    return 2;
  }

  let engine: RedirectEngine;
  try {
    engine = new RedirectEngine(loadConfig({ redirectsFile: opts.redirects, sitesFile: opts.sites, rulesFile: opts.rules, catalogFile: opts.catalog }).tables);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`resolve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const decide = (url: ParsedUrl, country: string): Decision =>
    engine.decide({ method: opts.method, scheme: url.scheme, host: url.host, path: url.path, query: url.query, country });

  if (opts.urls.length > 0) {
    const out = opts.urls.map((u, i) => formatResult(u, opts.country ?? '', decide(parsed[i] as ParsedUrl, opts.country ?? '')));
    io.stdout.write(out.join('\n') + '\n');
    return 0;
  }

  let status = 0;
  let lineNo = 0;
  let buffer: string[] = [];
  const rl = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    lineNo++;
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const [url, cc, ...extra] = text.split(/\s+/);
    const target = parseRawUrl(url);
    const country = cc === undefined ? opts.country ?? '' : normaliseCountry(cc);
    const problem =
      typeof target === 'string'
        ? target
        : cc !== undefined && !country
          ? `country ${JSON.stringify(cc)} is not a two-letter code such as GB`
          : extra.length > 0
            ? `expected "URL [COUNTRY]", found ${extra.length + 2} words`
            : undefined;
    if (problem) {
      io.stderr.write(`resolve: stdin:${lineNo}: ${problem}\n`);
      status = 2;
      continue;
    }
    buffer.push(formatResult(url, country, decide(target as ParsedUrl, country)));
    if (buffer.length >= 1000) {
      io.stdout.write(buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length > 0) io.stdout.write(buffer.join('\n') + '\n');
  return status;
}

