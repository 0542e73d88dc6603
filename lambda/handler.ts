/**
 * The Lambda@Edge adapter: CloudFront origin-request event in, generated
 * redirect (or the untouched request) out. All decisions are the engine's.
 *
 * Why origin-request: a response generated there is cached by CloudFront
 * under the behavior's cache key, so the function runs once per cache key
 * rather than once per visitor request. So it reads only what is in the key:
 * - `request.method`
 * - `request.uri`
 * - header `host` (must be forwarded to the origin request, and be part of
 *   the cache key, or CloudFront replaces it with the origin's)
 * - header `x-poco-country` (`COUNTRY_KEY_HEADER`: set by the viewer-request
 *   function of region-path sites only where the path names no region, and
 *   in their cache key)
 * Not the query string: it is not in the cache key. A redirect whose rule
 * keeps it is marked (`APPEND_QUERY_HEADER`) and the viewer-response function
 * appends the viewer's. The scheme is always `https`: the distributions
 * redirect HTTP to HTTPS before the function runs.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { BulkIndex, CompiledTables, Decision, normaliseCountry, RedirectEngine, RequestFacts } from './engine';
import { APPEND_QUERY_HEADER, COUNTRY_KEY_HEADER } from './viewer/keys';

/** Request fields and headers the decision reads; the CDK policies are built from this list. */
export const DECISION_INPUTS = {
  fields: ['method', 'uri'],
  headers: ['host', COUNTRY_KEY_HEADER],
} as const;

/** What a response and its log line carry for one status. */
interface StatusText {
  /** The status code as a string, as CloudFront wants it. */
  readonly code: string;
  /** The reason phrase. */
  readonly reason: string;
  /** A redirect's log line text between the rule and the host; '' for other statuses. */
  readonly logMiddle: string;
}

/** Per status the engine gives, at its index (see docs/performance.md, convention "Status table"). */
const STATUSES: readonly (StatusText | undefined)[] = (() => {
  const out: StatusText[] = [];
  const reasons: [number, string][] = [
    [301, 'Moved Permanently'],
    [302, 'Found'],
    [307, 'Temporary Redirect'],
    [308, 'Permanent Redirect'],
    [405, 'Method Not Allowed'],
    [410, 'Gone'],
  ];
  for (const [status, reason] of reasons) {
    out[status] = { code: String(status), reason, logMiddle: status < 400 ? `","action":"redirect","status":${status},"host":"` : '' };
  }
  return out;
})();

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

/** The first value of a header's list, when it is a string. */
function firstValue(values: CloudFrontHeaders[string] | undefined): string | undefined {
  return Array.isArray(values) && values.length > 0 && typeof values[0]?.value === 'string' ? values[0].value : undefined;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Lower-case names of the headers the engine sets (see docs/performance.md, convention "Literal keys"). */
const LOWER_NAMES: Readonly<Record<string, string>> = {
  Location: 'location',
  'Cache-Control': 'cache-control',
  'Strict-Transport-Security': 'strict-transport-security',
  Allow: 'allow',
};

type HeaderList = CloudFrontHeaders[string];

/** The marker of a redirect whose rule keeps the query string (removed by the viewer-response function). */
const APPEND_QUERY: HeaderList = Object.freeze([Object.freeze({ key: 'X-Poco-Append-Query', value: '1' })]) as HeaderList;

/** A header list built and checked once, frozen so that sharing it between responses is safe. */
function shared(name: string, value: string): HeaderList {
  if (!PRINTABLE.test(value))
    throw new Error(
      `createHandler: header ${name} value ${JSON.stringify(value)} is not printable ASCII. Fix config/sites.json responseHeaders and rebuild the bundle.`,
    );
  return Object.freeze([Object.freeze({ key: name, value })]) as HeaderList;
}

/**
 * Builds CloudFront responses from decisions. The header lists that never
 * change (each Cache-Control value, Strict-Transport-Security) are checked
 * once, at load, and shared, frozen, by every response. `Location` needs no
 * check here: the engine builds every location from checked prefixes and
 * encoded parts (lambda/engine/engine.ts).
 */
class ResponseBuilder {
  private readonly permanent: HeaderList;
  private readonly temporary: HeaderList;
  private readonly perVisitor: HeaderList;
  private readonly hsts: HeaderList;

  constructor(private readonly values: CompiledTables['headers']) {
    this.permanent = shared('Cache-Control', values.permanent);
    this.temporary = shared('Cache-Control', values.temporary);
    this.perVisitor = shared('Cache-Control', values.perVisitor);
    this.hsts = shared('Strict-Transport-Security', values.hsts);
  }

  /** The shared list of a Cache-Control value (the engine passes the tables' own strings). */
  private cacheControl(value: string): HeaderList {
    const { values } = this;
    if (value === values.permanent) return this.permanent;
    if (value === values.temporary) return this.temporary;
    if (value === values.perVisitor) return this.perVisitor;
    return [{ key: 'Cache-Control', value }];
  }

  respond(decision: Decision): CloudFrontResultResponse {
    const status = decision.status ?? 500;
    const h = decision.headers;
    if (decision.action === 'redirect') {
      const text = STATUSES[status];
      return {
        status: text?.code ?? String(status),
        statusDescription: text?.reason ?? '',
        headers: {
          location: [{ key: 'Location', value: decision.location }],
          'cache-control': this.cacheControl(h['Cache-Control']),
          'strict-transport-security':
            h['Strict-Transport-Security'] === this.values.hsts
              ? this.hsts
              : [{ key: 'Strict-Transport-Security', value: h['Strict-Transport-Security'] }],
          ...(decision.keepsQuery ? { [APPEND_QUERY_HEADER]: APPEND_QUERY } : {}),
        },
      };
    }
    const headers: CloudFrontHeaders = {};
    for (const key in h) headers[LOWER_NAMES[key] ?? key.toLowerCase()] = [{ key, value: h[key] }];
    const response: CloudFrontResultResponse = { status: String(status), statusDescription: STATUSES[status]?.reason ?? '', headers };
    if (decision.action === 'respond' && decision.body !== undefined) {
      response.body = decision.body;
      response.bodyEncoding = 'text';
    }
    return response;
  }
}

/** Characters JSON.stringify escapes in a string: `"`, `\\`, controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

/** Whether `value` goes into the log line as it is: a string no longer than `LOG_FIELD_MAX` with nothing JSON escapes. */
function plain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LOG_FIELD_MAX && !NEEDS_ESCAPE.test(value);
}

/** Whether `value` goes into the log line as it is, when `known` says the engine already saw that it has nothing to escape (only its length is left to check). */
function plainAs(known: boolean | undefined, value: unknown): boolean {
  return known === true && typeof value === 'string' && value.length <= LOG_FIELD_MAX ? true : plain(value);
}

/** Whether a country value goes into the log line as it is (or as null, when absent): two upper-case letters, as CloudFront sends it and as the engine's `normaliseCountry` keeps it, need no pattern. */
function plainCountry(value: unknown): boolean {
  if (value === undefined) return true;
  return (typeof value === 'string' && normaliseCountry(value) === value) || plain(value);
}

/** A request value as the log line holds it: strings clipped to `LOG_FIELD_MAX`, anything else null. */
function clip(value: unknown): string | null {
  return typeof value === 'string' ? value.slice(0, LOG_FIELD_MAX) : null;
}

/**
 * The decision's log line: exactly `JSON.stringify` of
 * `{ rule, action, status, host, uri, country }` with the request's values
 * clipped (test/lambda/handler.test.ts checks this for arbitrary values).
 *
 * A redirect whose values need no escaping is written by concatenation; any
 * other line by `JSON.stringify` (see docs/performance.md, conventions
 * "Concatenated log line" and "Status table"). Values the engine already
 * found plain are not checked again (convention "Known facts"):
 * @param plainRule every rule name needs no escaping (`RedirectEngine.plainRules`)
 * @param facts what the engine learnt deciding the request that `host` and
 *   `uri` are from: a configured host, or a path that needed no work, has
 *   nothing to escape
 */
export function logLine(
  decision: Decision,
  host: unknown,
  uri: unknown,
  country: unknown,
  plainRule = false,
  facts?: RequestFacts,
): string {
  if (
    decision.action === 'redirect' &&
    (plainRule || plain(decision.rule)) &&
    plainAs(facts?.hostConfigured, host) &&
    plainAs(facts?.pathPlain, uri) &&
    plainCountry(country)
  ) {
    const middle = STATUSES[decision.status]?.logMiddle;
    if (middle) {
      return (
        '{"rule":"' +
        decision.rule +
        middle +
        host +
        '","uri":"' +
        uri +
        (country === undefined ? '","country":null}' : '","country":"' + country + '"}')
      );
    }
  }
  return JSON.stringify({
    rule: decision.rule,
    action: decision.action,
    status: decision.status,
    host: clip(host),
    uri: clip(uri),
    country: clip(country),
  });
}

/** The request decided when the event cannot be read. */
const FALLBACK_REQUEST = { method: 'GET', scheme: 'https', host: '', path: '/', query: '' } as const;

/** Builds the handler around compiled tables (the bundle passes the embedded ones and the bulk index it read). */
export function createHandler(tables: CompiledTables, options: HandlerOptions = {}): EdgeHandler {
  const engine = new RedirectEngine(tables, options.bulk);
  const responses = new ResponseBuilder(tables.headers);
  const log = options.log ?? ((line: string) => console.log(line));
  const plainRules = engine.plainRules;
  /** What the engine learnt about the request being decided (one object, rewritten by every decision). */
  const facts: RequestFacts = { hostConfigured: false, pathPlain: false };
  return async (event) => {
    let request: CloudFrontRequest | undefined;
    let host: string | undefined;
    let country: string | undefined;
    let decision: Decision;
    try {
      request = event.Records[0].cf.request;
      const headers = request.headers as CloudFrontHeaders | undefined;
      host = firstValue(headers?.host);
      const key = firstValue(headers?.[COUNTRY_KEY_HEADER]);
      country = key === '-' ? undefined : key;
      decision = engine.decide(
        {
          method: typeof request.method === 'string' ? request.method : 'GET',
          scheme: 'https',
          host: host ?? '',
          path: typeof request.uri === 'string' ? request.uri : '/',
          query: '', // not in the cache key: appended by the viewer-response function
          country,
        },
        facts,
      );
    } catch {
      decision = engine.decide(FALLBACK_REQUEST, facts); // also forgets the facts of the previous request
    }
    try {
      log(logLine(decision, host, request?.uri, country, plainRules, facts));
    } catch {
      // Logging must never turn a redirect into an error.
    }
    if (decision.action === 'origin' && request) return request;
    return responses.respond(decision);
  };
}
