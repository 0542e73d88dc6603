/**
 * The Lambda@Edge adapter: CloudFront origin-request event in, generated
 * redirect (or the untouched request) out. All decisions are the engine's.
 *
 * Why origin-request: a response generated there is cached by CloudFront
 * under the behavior's cache key, so the function runs once per cache key
 * rather than once per visitor request.
 *
 * What the decision reads from the event, and nothing else:
 * - `request.method`
 * - `request.uri`
 * - `request.querystring`
 * - header `host` (must be forwarded to the origin request, and be part of
 *   the cache key, or CloudFront replaces it with the origin's)
 * - header `cloudfront-viewer-country` (must be in the cache key of
 *   region-path sites; CloudFront adds it only after viewer-request)
 * The scheme is always `https`: the distributions redirect HTTP to HTTPS
 * before the function runs.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { BulkIndex, CompiledTables, Decision, RedirectEngine } from './engine';

/** The header CloudFront adds with the viewer's country; read only on region-path sites. */
export const COUNTRY_HEADER = 'cloudfront-viewer-country';

/** Request fields and headers the decision reads; the CDK policies are built from this list. */
export const DECISION_INPUTS = {
  fields: ['method', 'uri', 'querystring'],
  headers: ['host', COUNTRY_HEADER],
} as const;

const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  405: 'Method Not Allowed',
};

/** Longest request value (host, URI, country) written to a log line. */
const LOG_FIELD_MAX = 512;

export interface HandlerOptions {
  /**
   * Receives one JSON line per decision.
   * @default console.log
   */
  readonly log?: (line: string) => void;
  /**
   * The bulk list's index, when loaded apart from the tables (the bundle
   * reads `bulk.bin` beside index.js).
   * @default packed from `tables.bulk`
   */
  readonly bulk?: BulkIndex;
}

export type EdgeHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

function header(headers: CloudFrontHeaders | undefined, name: string): string | undefined {
  const values = headers?.[name];
  return Array.isArray(values) && values.length > 0 && typeof values[0]?.value === 'string' ? values[0].value : undefined;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Every header value is printable ASCII: nothing a client could split or smuggle. */
function printable(decision: Decision): boolean {
  for (const key in decision.headers) if (!PRINTABLE.test(decision.headers[key])) return false;
  return true;
}

/** Lower-case names of the headers the engine sets, so a response costs no case conversion. */
const LOWER_NAMES: Readonly<Record<string, string>> = { Location: 'location', 'Cache-Control': 'cache-control', 'Strict-Transport-Security': 'strict-transport-security', Allow: 'allow' };

function toResponse(decision: Decision): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {};
  for (const key in decision.headers) headers[LOWER_NAMES[key] ?? key.toLowerCase()] = [{ key, value: decision.headers[key] }];
  const status = decision.status ?? 500;
  return { status: String(status), statusDescription: STATUS_TEXT[status] ?? '', headers };
}

/** The request decided when the event cannot be read, or a decision fails the header check. */
const FALLBACK_REQUEST = { method: 'GET', scheme: 'https', host: '', path: '/', query: '' } as const;

/** A request value for the log line: strings clipped, anything else null. */
function clip(value: unknown): string | null {
  return typeof value === 'string' ? value.slice(0, LOG_FIELD_MAX) : null;
}

/** Builds the handler around compiled tables (the bundle passes the embedded ones and the bulk index it read). */
export function createHandler(tables: CompiledTables, options: HandlerOptions = {}): EdgeHandler {
  const engine = new RedirectEngine(tables, options.bulk);
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event) => {
    let request: CloudFrontRequest | undefined;
    let host: string | undefined;
    let country: string | undefined;
    let decision: Decision;
    try {
      request = event.Records[0].cf.request;
      host = header(request.headers, 'host');
      country = header(request.headers, COUNTRY_HEADER);
      decision = engine.decide({
        method: typeof request.method === 'string' ? request.method : 'GET',
        scheme: 'https',
        host: host ?? '',
        path: typeof request.uri === 'string' ? request.uri : '/',
        query: typeof request.querystring === 'string' ? request.querystring : '',
        country,
      });
    } catch {
      decision = engine.decide(FALLBACK_REQUEST);
    }
    if (!printable(decision)) decision = engine.decide(FALLBACK_REQUEST);
    try {
      log(JSON.stringify({ rule: decision.rule, action: decision.action, status: decision.status, host: clip(host), uri: clip(request?.uri), country: clip(country) }));
    } catch {
      // Logging must never turn a redirect into an error.
    }
    if (decision.action === 'origin' && request) return request;
    return toResponse(decision);
  };
}
