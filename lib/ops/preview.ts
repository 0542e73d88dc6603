/**
 * The local preview: an HTTP server on 127.0.0.1 that answers as the
 * deployed distributions would, through the same bundle the stack deploys.
 *
 * For each request it does what CloudFront does before and around the
 * function: finds the site by Host (CloudFront finds the distribution by its
 * aliases: a configured name, else a wildcard alias such as `*.po.co` one
 * label up), refuses methods other than GET and HEAD with 403 as CloudFront
 * does, and runs the redirect behavior as the stack builds it
 * (lib/edge/pipeline.ts): the viewer-request function (region-path sites:
 * the country key), the origin-request event with exactly the headers the
 * policies forward (`redirectForwarding`; Host as the viewer sent it, the
 * `CloudFront-Viewer-Country` header standing in for CloudFront's), the
 * bundled handler, then the viewer-response function (the query string). Frozen sites have no redirect function: their
 * snapshot folder is served as their distribution serves the S3 bucket, the
 * URI first through the same CloudFront Function (a folder URI gets its
 * index.html), a missing object answered 404 with the snapshot's 404.html
 * or the plain page deployed in its place (lib/edge/frozen-site.ts). Nothing is
 * cached, unlike CloudFront: every request reaches the function.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { CloudFrontResultResponse } from 'aws-lambda';
import { normaliseHost, SiteMode } from '../../lambda/engine';
import type { EdgeHandler } from '../../lambda/handler';
import { bundleEdgeFunction, writeBundle } from '../edge/bundle';
import { VIEWER_COUNTRY_HEADER as COUNTRY_HEADER } from '../edge/cloudfront-event';
import { RedirectBehaviorModel, redirectBehaviorModel, viewerAnswer } from '../edge/pipeline';
import { ConfigFiles, contentDirsOf, displayName, LoadedConfig, loadConfig, withDefaultFiles } from '../config/load';
import { OpsError } from '../config/problems';
import type { SiteConfig } from '../config/sites';
import { frozenIndexRewriter, NOT_FOUND_PAGE, snapshotLookup } from '../edge/frozen-site';
import { loadBundledHandler } from '../edge/bundled-handler';
import { sampleHost, servedHostname } from '../rules/probes';

/** The port `npm start` listens on when neither PORT nor --port says otherwise. */
export const DEFAULT_PREVIEW_PORT = 8787;
/** The preview listens on loopback unless --host says otherwise: it is a developer's tool, not a server. */
export const PREVIEW_ADDRESS = '127.0.0.1';
/** How often the watched config files are polled for a change, in milliseconds. */
const WATCH_INTERVAL_MS = 250;
/** How long after the last change the config is reloaded, so that a save of several files reloads once. */
const RELOAD_DEBOUNCE_MS = 150;
/** Response header naming the rule that decided (preview only; CloudFront sends no such header). */
export const RULE_HEADER = 'x-preview-rule';

export interface PreviewOptions {
  /**
   * The bulk redirect list.
   * @default config/redirects.csv
   */
  readonly redirectsFile?: string;
  /**
   * The sites file.
   * @default config/sites.json
   */
  readonly sitesFile?: string;
  /**
   * The rules file.
   * @default config/rules.txt
   */
  readonly rulesFile?: string;
  /**
   * The store catalogue.
   * @default config/catalog.json
   */
  readonly catalogFile?: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @default DEFAULT_PREVIEW_PORT
   */
  readonly port?: number;
  /**
   * Address to listen on.
   * @default PREVIEW_ADDRESS (loopback)
   */
  readonly host?: string;
  /**
   * Watch the config files (sites, rules, catalogue, bulk list) and reload
   * when one changes; a bad new config is reported and the last good one kept.
   * @default false
   */
  readonly watch?: boolean;
  /** Receives one line per request, and a line per reload. */
  readonly log: (line: string) => void;
  /**
   * Receives the problems of a config that failed to reload.
   * @default log
   */
  readonly warn?: (message: string) => void;
}

export interface Preview {
  /** `http://127.0.0.1:<port>` (the host listened on) */
  readonly url: string;
  readonly port: number;
  /** What is served, a line per site, for the ready message. */
  readonly sites: readonly string[];
  /** The bundle's size in bytes (index.js and bulk.bin). */
  readonly bundleBytes: number;
  /** The config files watched for changes (empty unless `watch`). */
  readonly watched: readonly string[];
  close(): Promise<void>;
}

interface Route {
  readonly site: SiteConfig;
  /** Redirect sites: the behavior's functions and policies, as the stack builds them. */
  readonly behavior?: RedirectBehaviorModel;
  /** Frozen sites: the snapshot folder, when configured. */
  readonly contentDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  /** What decided, for the log line. */
  readonly note: string;
}

function text(status: number, body: string, note: string): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: body + '\n', note };
}

/**
 * What the frozen site's distribution answers: the viewer-request function's
 * URI (`rewrite`, the deployed CloudFront Function's code), then the bucket:
 * the object (200), or for a missing one (S3's 403) the error response's 404
 * with the snapshot's 404.html, else the plain page deployed in its place.
 */
function serveSnapshot(route: Route, uri: string, rewrite: (uri: string) => string): Answer {
  if (!route.contentDir)
    return text(
      502,
      `preview: site ${route.site.name} is frozen and names no snapshot folder ("content" in the sites file); the deployed site serves its S3 bucket.`,
      'frozen, no snapshot',
    );
  const rewritten = rewrite(uri);
  const found = snapshotLookup(route.contentDir, rewritten);
  if (found.status === 400) return text(400, `preview: ${found.reason}.`, 'frozen, bad path');
  const html = 'text/html; charset=utf-8';
  let body: string | Buffer = NOT_FOUND_PAGE;
  if (found.file !== undefined) {
    try {
      body = fs.readFileSync(found.file);
    } catch (err) {
      // Never the folder's absolute path in a body: the key, and the reason's code.
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
      return text(
        500,
        `preview: cannot read the snapshot's object for ${JSON.stringify(found.key)} (${code}).`,
        `frozen, unreadable: ${code}`,
      );
    }
  }
  const served = found.file === undefined ? 'the plain 404 page' : displayName(found.file);
  const note = found.status === 200 ? `frozen snapshot ${served}` : `frozen, no object ${JSON.stringify(found.key)}: ${served}`;
  return {
    status: found.status,
    headers: {
      'content-type':
        found.file === undefined ? html : (CONTENT_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream'),
    },
    body,
    note,
  };
}

/**
 * A header value as Node sends it: printable ASCII kept, anything else (a
 * rule naming a file such as 列表.csv) percent-encoded as UTF-8, since a
 * header value cannot hold characters above U+00FF.
 */
export function headerValue(value: string): string {
  return value.replace(/[^\x20-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The bundle the stack deploys, written to a temporary folder and loaded, with the line its handler logged last. */
interface PreviewBundle {
  readonly dir: string;
  readonly bytes: number;
  readonly handler: EdgeHandler;
  readonly log: { last?: string };
}

function loadBundle(config: LoadedConfig): PreviewBundle {
  const bundle = bundleEdgeFunction(config.tables);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-preview-'));
  writeBundle(bundle, dir);
  const log: { last?: string } = {};
  const handler = loadBundledHandler(dir, (line) => {
    log.last = line;
  });
  return { dir, bytes: bundle.bytes, handler, log };
}

/** Each configured hostname's route, and what is served, a line per site. */
function routesOf(config: LoadedConfig, sitesFile: string, handler: EdgeHandler): { routes: Map<string, Route>; summary: string[] } {
  const contentDirs = contentDirsOf(config.sites, sitesFile);
  const routes = new Map<string, Route>();
  const behaviors = new Map<string, RedirectBehaviorModel>();
  const behaviorOf = (mode: SiteMode): RedirectBehaviorModel => {
    let b = behaviors.get(mode);
    if (b === undefined) behaviors.set(mode, (b = redirectBehaviorModel(mode, config.tables, handler)));
    return b;
  };
  const allHosts = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  const summary: string[] = [];
  for (const site of config.sites.sites) {
    const route: Route =
      site.mode === 'frozen' ? { site, contentDir: contentDirs.get(site.name) } : { site, behavior: behaviorOf(site.mode) };
    for (const host of site.hostnames) routes.set(host, route);
    summary.push(summaryLine(route, allHosts));
  }
  return { routes, summary };
}

/** A site's line of the ready message: its hostnames and how it is served. */
function summaryLine(route: Route, allHosts: ReadonlySet<string>): string {
  const site = route.site;
  const how = route.behavior
    ? `${site.mode}, ${route.behavior.viewerRequest ? 'country-key function on viewer-request, ' : ''}function on origin-request (cache key ${['URI', ...route.behavior.cacheKey.headers].join(', ')}), query-string function on viewer-response`
    : `frozen, ${route.contentDir ? `snapshot ${displayName(route.contentDir)}${fs.existsSync(route.contentDir) ? '' : ' (missing)'}` : 'no snapshot folder'}`;
  return `${site.hostnames.map((h) => (h.startsWith('*.') ? `${h} (any name one label below ${h.slice(2)}, such as ${sampleHost(h, allHosts)})` : h)).join(', ')}: ${how}`;
}

/** What a redirect site's behavior answers: its functions and the bundled handler, the rule from the handler's log line. */
async function redirectAnswer(
  behavior: RedirectBehaviorModel,
  req: http.IncomingMessage,
  uri: string,
  querystring: string,
  bundleLog: { last?: string },
): Promise<Answer> {
  const otherHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== 'host' && name !== COUNTRY_HEADER && value !== undefined) otherHeaders[name] = single(value)!;
  }
  // The handler logs before it returns, synchronously: its line is read right after the call, before any other request can run.
  let line: string | undefined;
  const handler: EdgeHandler = (event) => {
    bundleLog.last = undefined;
    const pending = behavior.handler(event);
    line = bundleLog.last;
    return pending;
  };
  const result = await viewerAnswer(
    { ...behavior, handler },
    {
      host: single(req.headers.host) ?? '',
      uri,
      querystring,
      method: req.method ?? 'GET',
      country: single(req.headers[COUNTRY_HEADER]),
      otherHeaders,
    },
  );
  let rule = '?';
  try {
    rule = String((JSON.parse(line ?? '{}') as { rule?: unknown }).rule ?? '?');
  } catch {
    // The log line is the bundle's; a preview must not fail on it.
  }
  if (!('status' in result))
    return text(
      502,
      `preview: the function passed the request on to the origin ${result.origin?.custom?.domainName ?? ''}; the preview does not contact origins.`,
      `origin (${rule})`,
    );
  const response = result as CloudFrontResultResponse;
  const headers: Record<string, string> = { [RULE_HEADER]: headerValue(rule) };
  for (const values of Object.values(response.headers ?? {})) for (const h of values) headers[h.key ?? ''] = h.value;
  return { status: Number(response.status), headers, body: '', note: `${headers.Location ?? headers.location ?? ''} (${rule})` };
}

/** Answers a request as the distribution of its Host would: unknown hosts and methods refused, then the site's behavior or snapshot. */
function answerer(
  routes: ReadonlyMap<string, Route>,
  sitesFile: string,
  bundleLog: { last?: string },
): (req: http.IncomingMessage) => Promise<Answer> {
  const rewrite = frozenIndexRewriter();
  /** The route of a Host header: its configured hostname, else a wildcard one label up, as CloudFront matches aliases (an exact name wins). */
  const routeOf = (host: string): Route | undefined => {
    const hostname = servedHostname(normaliseHost(host), routes);
    return hostname === undefined ? undefined : routes.get(hostname);
  };
  const example = sampleHost([...routes.keys()][0] ?? 'po.co', routes);
  return async (req) => {
    const hostHeader = single(req.headers.host) ?? '';
    const route = routeOf(hostHeader);
    if (!route) {
      const names = [...routes.keys()].map((h) => (h.startsWith('*.') ? `${h} (any name one label below ${h.slice(2)})` : h));
      return text(
        404,
        `preview: Host ${JSON.stringify(hostHeader)} is not a hostname of ${displayName(sitesFile)}. Send one of ${names.join(', ')}, e.g. curl -si -H 'Host: ${example}' <preview url>/`,
        'unknown host',
      );
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD')
      return text(
        403,
        `preview: ${method} is not allowed; the distributions accept GET and HEAD (CloudFront answers 403).`,
        'method not allowed',
      );
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const uri = q < 0 ? raw : raw.slice(0, q);
    if (!route.behavior) return serveSnapshot(route, uri, rewrite);
    return redirectAnswer(route.behavior, req, uri, q < 0 ? '' : raw.slice(q + 1), bundleLog);
  };
}

/** The HTTP server: each request answered, then logged in one line with its time. */
function previewServer(answer: (req: http.IncomingMessage) => Promise<Answer>, log: (line: string) => void): http.Server {
  return http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    answer(req)
      // The reason goes to the log line, never the body: it may name a file by its absolute path.
      .catch((err: unknown) => internalError(err))
      .then((answered) => {
        let a = answered;
        try {
          res.writeHead(a.status, a.headers);
        } catch (err) {
          // A header Node refuses to send (a character above U+00FF): an answer, never a crash.
          a = internalError(err);
          res.writeHead(a.status, a.headers);
        }
        res.end(req.method === 'HEAD' ? undefined : a.body);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const country = single(req.headers[COUNTRY_HEADER]);
        log(
          `${req.method} ${single(req.headers.host) ?? '-'}${req.url ?? ''}${country ? ` [${country}]` : ''} -> ${a.status} ${a.note} ${ms.toFixed(1)} ms`,
        );
      });
  });
}

function internalError(err: unknown): Answer {
  const message = err instanceof Error ? err.message : String(err);
  return text(500, "preview: internal error; the preview's output says why.", `internal error: ${message}`);
}

/** Listens on `port` of `host`; resolves to the port (0 picks one), or rejects with an `OpsError` saying why, the bundle folder removed. */
async function listen(server: http.Server, host: string, port: number, bundleDir: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', () => fs.rmSync(bundleDir, { recursive: true, force: true }));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new OpsError(
          err.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is in use. Fix: stop what holds it, or choose another with PORT=8788 npm start (or --port 8788).`
            : `cannot listen on ${host}:${port}: ${err.message}. Fix: --host an address of this machine (default ${PREVIEW_ADDRESS}), --port N (0 picks a free one).`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

/** What is served: the bundle, each hostname's route and the request answerer, from one load of the config. */
interface Served {
  readonly bundle: PreviewBundle;
  readonly summary: string[];
  readonly answer: (req: http.IncomingMessage) => Promise<Answer>;
}

/** Loads the config and bundles it; throws the config's problems (`ConfigError`) or the bundle's. */
function serve(files: Required<ConfigFiles>): Served {
  const config = loadConfig(files);
  const bundle = loadBundle(config);
  try {
    const { routes, summary } = routesOf(config, files.sitesFile, bundle.handler);
    return { bundle, summary, answer: answerer(routes, files.sitesFile, bundle.log) };
  } catch (err) {
    fs.rmSync(bundle.dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Polls `files` and calls `changed` with the names that changed, once the
 * changes settle (a debounce); returns the function that stops watching.
 */
function watchFiles(files: readonly string[], changed: (names: string[]) => void): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const listeners = files.map((file) => {
    const listener = (now: fs.Stats, before: fs.Stats): void => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
      pending.add(displayName(file));
      clearTimeout(timer);
      timer = setTimeout(() => {
        const names = [...pending];
        pending.clear();
        changed(names);
      }, RELOAD_DEBOUNCE_MS);
    };
    fs.watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, listener);
    return { file, listener };
  });
  return () => {
    clearTimeout(timer);
    for (const { file, listener } of listeners) fs.unwatchFile(file, listener);
  };
}

/** Loads config, bundles the handler and starts listening; rejects with the config's problems or a bind error. */
export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const files = withDefaultFiles(options);
  let current = serve(files);
  const first = current;
  const server = previewServer((req) => current.answer(req), options.log);
  const host = options.host ?? PREVIEW_ADDRESS;
  const port = await listen(server, host, options.port ?? DEFAULT_PREVIEW_PORT, current.bundle.dir);
  const warn = options.warn ?? options.log;
  /** Loads the changed config; serves it when good, else reports it and keeps serving the last good one. */
  const reload = (names: string[]): void => {
    let next: Served;
    try {
      next = serve(files);
    } catch (err) {
      warn(
        `preview: ${names.join(', ')} changed, but the config cannot be loaded; still serving the last good config.\n${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    const old = current;
    current = next;
    fs.rmSync(old.bundle.dir, { recursive: true, force: true });
    options.log(`preview: ${names.join(', ')} changed; reloaded (bundle ${(next.bundle.bytes / 1024).toFixed(1)} KiB)`);
  };
  const watched = options.watch ? Object.values(files).map((f) => path.resolve(f)) : [];
  const unwatch = watched.length > 0 ? watchFiles(watched, reload) : () => undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sites: first.summary,
    bundleBytes: first.bundle.bytes,
    watched,
    close: () =>
      new Promise<void>((resolve) => {
        unwatch();
        server.close(() => {
          fs.rmSync(current.bundle.dir, { recursive: true, force: true });
          resolve();
        });
        // Keep-alive connections would hold the close back; the port is freed as the server stops listening.
        server.closeAllConnections();
      }),
  };
}
