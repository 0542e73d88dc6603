/**
 * Builds CloudFront origin-request events the way CloudFront builds them for
 * a behavior's policies: only the headers the policies forward, Host as the
 * viewer sent it only when Host is forwarded (else the origin's), the query
 * string only when query strings are forwarded, and the country header only
 * when it is forwarded and CloudFront knows the country.
 */
import * as vm from 'vm';
import type { CloudFrontHeaders, CloudFrontRequestEvent } from 'aws-lambda';
import type { SiteMode } from '../../lambda/engine';
import { DECISION_INPUTS } from '../../lambda/handler';
import { COUNTRY_KEY_HEADER } from '../../lambda/viewer/keys';

/** The header CloudFront adds with the viewer's country, when a policy of the behavior includes it. */
export const VIEWER_COUNTRY_HEADER = 'cloudfront-viewer-country';

export interface ViewerRequest {
  /** Host header as the viewer sent it. */
  readonly host: string;
  /** Path, percent-encoded as sent. @default '/' */
  readonly uri?: string;
  /** Query string without `?`. @default '' */
  readonly querystring?: string;
  /** Two-letter country CloudFront resolved for the viewer; omitted when unknown. @default none */
  readonly country?: string;
  /** @default 'GET' */
  readonly method?: string;
  /** Other viewer headers; dropped unless the policies forward them, as CloudFront would. @default {} */
  readonly otherHeaders?: Readonly<Record<string, string>>;
}

/** The origin the redirect behaviors point at; the function answers before CloudFront contacts it. */
export const PLACEHOLDER_ORIGIN_DOMAIN = 'www.mi.com';

/** What a behavior's cache and origin request policies forward to the origin (and so to an origin-request function). */
export interface Forwarding {
  /** Lower-case names of the headers forwarded. */
  readonly headers: readonly string[];
  /** Whether the query string is forwarded. */
  readonly queryString: boolean;
}

/** What the redirect behaviors forward: everything the decision reads. */
export const DECISION_FORWARDING: Forwarding = { headers: DECISION_INPUTS.headers, queryString: false };

/**
 * Whether a redirect site's decisions can depend on the viewer's country: on
 * region-path sites, for paths that name no region. There the viewer-request
 * function puts the country into the cache key (`COUNTRY_KEY_HEADER`), and
 * it reads the viewer's country from CloudFront's header, which an origin
 * request policy makes CloudFront add.
 */
export function decidesByCountry(mode: SiteMode): boolean {
  return mode === 'region-path';
}

/** The headers in the cache key of a redirect site of `mode`: Host, and the country key where decisions can read it. Never the query string. */
export function redirectCacheKey(mode: SiteMode): readonly string[] {
  return DECISION_INPUTS.headers.filter((h) => decidesByCountry(mode) || h !== COUNTRY_KEY_HEADER);
}

/** The headers an origin request policy adds for a redirect site of `mode`: the viewer's country, for the viewer-request function. */
export function redirectOriginRequestHeaders(mode: SiteMode): readonly string[] {
  return decidesByCountry(mode) ? [VIEWER_COUNTRY_HEADER] : [];
}

/**
 * What the redirect behavior of a site of `mode` forwards to the origin
 * request (the cache key and the origin request policy). The policies are
 * built from `redirectCacheKey` and `redirectOriginRequestHeaders`, and the
 * preview server builds its events from this; test/edge/forwarding.test.ts checks
 * both against the templates.
 */
export function redirectForwarding(mode: SiteMode): Forwarding {
  return { headers: [...redirectCacheKey(mode), ...redirectOriginRequestHeaders(mode)].sort(), queryString: false };
}

/** The CloudFormation shape of a cache policy's or origin request policy's parameters, as far as forwarding goes. */
interface PolicyParameters {
  readonly HeadersConfig?: { readonly HeaderBehavior?: string; readonly Headers?: readonly string[] };
  readonly QueryStringsConfig?: { readonly QueryStringBehavior?: string };
}

/**
 * What CloudFront forwards for a behavior, read from the synthesized
 * `CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin` and, when the
 * behavior has one, `OriginRequestPolicyConfig`. Values in the cache key are
 * always forwarded; the origin request policy adds to them. Header behaviors
 * that forward every viewer header are refused: they put no bound on what the
 * function sees.
 */
export function forwardingFromPolicies(cacheKey: PolicyParameters | undefined, originRequest?: PolicyParameters): Forwarding {
  const headers = new Set<string>();
  let queryString = false;
  for (const params of [cacheKey, originRequest]) {
    if (!params) continue;
    const hb = params.HeadersConfig?.HeaderBehavior ?? 'none';
    if (hb === 'whitelist') for (const h of params.HeadersConfig?.Headers ?? []) headers.add(h.toLowerCase());
    else if (hb !== 'none')
      throw new Error(
        `forwardingFromPolicies: header behavior ${JSON.stringify(hb)} forwards headers this model does not bound; list them instead.`,
      );
    const qb = params.QueryStringsConfig?.QueryStringBehavior ?? 'none';
    if (qb !== 'none') queryString = true;
  }
  return { headers: [...headers].sort(), queryString };
}

export function originRequestEvent(viewer: ViewerRequest, forwarding: Forwarding = DECISION_FORWARDING): CloudFrontRequestEvent {
  const forwarded = new Set<string>(forwarding.headers);
  const headers: CloudFrontHeaders = {};
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    if (forwarded.has(key)) headers[key] = [{ key: name, value }];
  };
  for (const [name, value] of Object.entries(viewer.otherHeaders ?? {})) add(name, value);
  // Host is always present at the origin: the viewer's when forwarded, else the origin's.
  headers.host = [{ key: 'Host', value: forwarded.has('host') ? viewer.host : PLACEHOLDER_ORIGIN_DOMAIN }];
  if (viewer.country) add('CloudFront-Viewer-Country', viewer.country);
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'origin-request',
            requestId: 'test',
          },
          request: {
            clientIp: '203.0.113.178',
            method: viewer.method ?? 'GET',
            uri: viewer.uri ?? '/',
            querystring: forwarding.queryString ? (viewer.querystring ?? '') : '',
            headers,
            origin: {
              custom: {
                domainName: PLACEHOLDER_ORIGIN_DOMAIN,
                port: 443,
                protocol: 'https',
                path: '',
                sslProtocols: ['TLSv1.2'],
                readTimeout: 30,
                keepaliveTimeout: 5,
                customHeaders: {},
              },
            },
          },
        },
      },
    ],
  };
}

/** A CloudFront Functions query string, header or cookie value. */
export interface CfValue {
  value: string;
  multiValue?: { value: string }[];
}

/** Query strings, headers or cookies as CloudFront Functions see them, by name. */
export type CfValues = Record<string, CfValue | undefined>;

/** A query string as CloudFront Functions see it: parsed into names (empty parts dropped), values as sent, a repeated name as `multiValue`. */
export function parseQuery(query: string): CfValues {
  const out: CfValues = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const entry = out[name];
    if (entry === undefined) out[name] = { value };
    else entry.multiValue = [...(entry.multiValue ?? [{ value: entry.value }]), { value }];
  }
  return out;
}

/** The first line of a function that reads its key value store (`KEY_VALUE_STORE_PRELUDE` in lib/edge/viewer-functions.ts). */
const IMPORT_CLOUDFRONT = /^import cf from 'cloudfront';\n/;

/** The `cloudfront` module's key value store handle over `data`, as CloudFront Functions offer it: `get` rejects for a key not held. */
function keyValueStoreHandle(data: ReadonlyMap<string, string>): object {
  return {
    get: (key: string): Promise<string> => {
      const value = data.get(key);
      return value === undefined
        ? Promise.reject(new Error(`KeyValueStore: key ${JSON.stringify(key)} not found`))
        : Promise.resolve(value);
    },
    exists: (key: string): Promise<boolean> => Promise.resolve(data.has(key)),
  };
}

/**
 * A CloudFront Function's `handler`, from its code run in a fresh `vm`
 * context as at the edge: no Node.js globals, `console` silenced, of
 * `require` only the `crypto` module cloudfront-js-2.0 offers, and, for a
 * function that imports the `cloudfront` module, the key value store
 * associated with it (`keyValueStore`: its data).
 */
export function loadCloudFrontFunction<H = (event: unknown) => unknown>(
  code: string,
  filename: string,
  keyValueStore?: ReadonlyMap<string, string>,
): H {
  const importsStore = IMPORT_CLOUDFRONT.test(code);
  if (importsStore && keyValueStore === undefined)
    throw new Error(`${filename}: imports the cloudfront module's key value store, but no key value store is associated with it`);
  const context = vm.createContext({
    console: { log: () => undefined, warn: () => undefined, error: () => undefined },
    require: (name: string): unknown => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (name === 'crypto') return require('crypto');
      throw new Error(`${filename}: requires ${JSON.stringify(name)}, which CloudFront Functions do not offer`);
    },
    ...(importsStore ? { cf: { kvs: () => keyValueStoreHandle(keyValueStore!) } } : {}),
  });
  // A script cannot import: the module is given as the global `cf` instead (the line is kept blank so line numbers stay).
  if (importsStore) code = code.replace(IMPORT_CLOUDFRONT, '\n');
  vm.runInContext(code, context, { filename });
  const handler: unknown = vm.runInContext('typeof handler === "function" ? handler : undefined', context);
  if (typeof handler !== 'function')
    throw new Error(`${filename}: defines no top-level function handler(event), which CloudFront Functions call`);
  return handler as H;
}
