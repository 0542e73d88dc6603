/**
 * CloudFront's cache in front of the edge function, modelled from
 * synthesized templates (lib/bench/edge-runs.ts plays the traffic model
 * through it). Pure over parsed templates: no AWS calls, no synth.
 *
 * For each `AWS::CloudFront::Distribution` of an assembly: its aliases (a
 * wildcard `*.po.co` matches one label, an exact alias wins over it), its
 * behaviors (path patterns in order, the default last) and for each the
 * cache policy (`CachePolicyConfig`: headers, query strings, cookies in the
 * key), the origin request policy, the Lambda@Edge associations and the
 * CloudFront Functions. Policies and functions may sit in the parent stack
 * and reach nested site stacks through nested-stack Parameters; references
 * are followed through them (`Ref`, `Fn::GetAtt`, nested stack outputs).
 *
 * A request's cache key is the distribution, the URI and the values of the
 * key's headers, query strings and cookies, read after the behavior's
 * viewer-request CloudFront Function has run: its code is executed (Node's
 * `vm`, a fresh context per distribution) on a CloudFront Functions event,
 * since it may set headers that are in the key. The origin-request function
 * runs on the first sight of each key (a cache miss), a viewer-request or
 * viewer-response Lambda@Edge function on every request.
 *
 * What the model leaves out: expiry (the traffic is taken to fall within the
 * TTL: the redirect policies keep answers 5 minutes to a year), CloudFront's
 * many caches (each edge location and regional cache misses on its own, which
 * multiplies runs for every configuration alike), Accept-Encoding
 * normalisation (every visitor is taken to send the same), and responses that
 * forbid caching when the policy's minimum TTL is 0 (`minTtl` is reported).
 */
import { wildcardOf } from '../../lambda/engine';
import { CfValue, CfValues, loadCloudFrontFunction, parseQuery } from '../edge/cloudfront-event';
import { readKeyValueStoreAsset } from '../edge/country-splits';
import type { Template } from '../review/assembly';

/** What a policy puts in the cache key, or forwards, of one kind (headers, query strings, cookies). */
export interface KeyPart {
  /** `none`, `all`, `whitelist` (only `names`), `allExcept` (all but `names`). */
  readonly behavior: 'none' | 'all' | 'whitelist' | 'allExcept';
  /** Lower-case for headers; as written for query strings and cookies. */
  readonly names: readonly string[];
}

/** A behavior's cache key, from its cache policy (or legacy `ForwardedValues`). */
export interface CacheKeyPolicy {
  /** Where it came from: the policy's logical id or managed policy id, or `ForwardedValues`. */
  readonly source: string;
  /** Headers in the key: `none` or `whitelist` (CloudFront allows no other behavior in a cache key). */
  readonly headers: KeyPart;
  readonly queryStrings: KeyPart;
  readonly cookies: KeyPart;
  /** False when nothing is cached (MaxTTL 0, as the managed CachingDisabled policy): every request misses. */
  readonly caching: boolean;
  /** Seconds; 0 lets an answer's `Cache-Control: no-store` stop CloudFront caching it (not modelled). */
  readonly minTtl: number;
}

/** A CloudFront Function associated with a behavior. */
export interface CloudFrontFunctionModel {
  /** Logical id of the `AWS::CloudFront::Function`. */
  readonly name: string;
  /** Its JavaScript source (`FunctionCode`). */
  readonly code: string;
  /** The data of the key value store associated with it, when there is one. */
  readonly keyValueStore?: ReadonlyMap<string, string>;
}

export interface BehaviorModel {
  /** The path pattern; undefined for the default behavior. */
  readonly pathPattern?: string;
  readonly cacheKey: CacheKeyPolicy;
  /** Headers CloudFront forwards to the origin request (cache key and origin request policy together), lower-case; `*` when all viewer headers go. */
  readonly forwardedHeaders: ReadonlySet<string>;
  /** Lambda@Edge functions by event type (`origin-request`, `viewer-request`…): how many. */
  readonly lambdaEvents: Readonly<Record<string, number>>;
  readonly viewerRequestFunction?: CloudFrontFunctionModel;
  readonly viewerResponseFunction?: CloudFrontFunctionModel;
}

export interface DistributionModel {
  /** `<template file>#<logical id>`: unique within an assembly. */
  readonly id: string;
  /** Lower-case aliases. */
  readonly aliases: readonly string[];
  /** Cache behaviors with path patterns in order, then the default behavior. */
  readonly behaviors: readonly BehaviorModel[];
}

/** Cache policies CloudFront manages, referred to by id rather than defined in the template. */
const MANAGED_CACHE_POLICIES: Readonly<Record<string, Omit<CacheKeyPolicy, 'source'>>> = {
  // CachingOptimized
  '658327ea-f89d-4fab-a63d-7e88639e58f6': {
    headers: { behavior: 'none', names: [] },
    queryStrings: { behavior: 'none', names: [] },
    cookies: { behavior: 'none', names: [] },
    caching: true,
    minTtl: 1,
  },
  // CachingOptimizedForUncompressedObjects
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': {
    headers: { behavior: 'none', names: [] },
    queryStrings: { behavior: 'none', names: [] },
    cookies: { behavior: 'none', names: [] },
    caching: true,
    minTtl: 1,
  },
  // CachingDisabled
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': {
    headers: { behavior: 'none', names: [] },
    queryStrings: { behavior: 'none', names: [] },
    cookies: { behavior: 'none', names: [] },
    caching: false,
    minTtl: 0,
  },
};

/** Origin request policies CloudFront manages: the headers each forwards, as far as this model reads them. */
const MANAGED_ORIGIN_REQUEST_POLICIES: Readonly<Record<string, readonly string[]>> = {
  // AllViewer: every viewer header, no CloudFront header.
  '216adef6-5c7f-47e4-b989-5492eafa07d3': ['*'],
  // AllViewerAndCloudFrontHeaders-2022-06
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': ['*', 'cloudfront-viewer-country'],
  // AllViewerExceptHostHeader (with CloudFront's headers)
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': ['*', 'cloudfront-viewer-country'],
  // CORS-S3Origin, CORS-CustomOrigin, UserAgentRefererHeaders
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': ['origin', 'access-control-request-headers', 'access-control-request-method'],
  '59781a5b-3903-41f3-afcb-af62929ccde1': ['origin'],
  'acba4595-bd28-49b6-b0e8-d3f7f8e80ca8': ['user-agent', 'referer'],
};

/** A reference followed to what it names: a literal, or a resource of some template. */
type Resolved = { readonly literal: unknown } | { readonly file: string; readonly id: string; readonly resource: Template };

/** Follows `Ref`, `Fn::GetAtt` and nested-stack parameters and outputs across the assembly's templates. */
class Resolver {
  /** Nested template file → the parent's file and its stack resource's Parameters. */
  private readonly parents = new Map<string, { file: string; parameters: Template }>();
  /** Parent file + nested stack logical id → nested template file. */
  private readonly children = new Map<string, string>();

  constructor(
    private readonly templates: ReadonlyMap<string, Template>,
    /** The cloud assembly's folder, where the assets (a key value store's data) are staged. */
    readonly assemblyDir?: string,
  ) {
    for (const [file, t] of templates) {
      for (const [id, r] of Object.entries<Template>(t.Resources ?? {})) {
        const asset = r.Metadata?.['aws:asset:path'];
        if (r.Type === 'AWS::CloudFormation::Stack' && typeof asset === 'string' && templates.has(asset)) {
          this.parents.set(asset, { file, parameters: r.Properties?.Parameters ?? {} });
          this.children.set(`${file}#${id}`, asset);
        }
      }
    }
  }

  resolve(value: unknown, file: string, depth = 0): Resolved | undefined {
    if (depth > 20) return undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { literal: value };
    if (!value || typeof value !== 'object') return undefined;
    const t = this.templates.get(file) ?? {};
    const v = value as Template;
    if (typeof v.Ref === 'string') {
      const resource = t.Resources?.[v.Ref];
      if (resource) return { file, id: v.Ref, resource };
      if (t.Parameters?.[v.Ref] !== undefined) {
        const parent = this.parents.get(file);
        if (parent && parent.parameters[v.Ref] !== undefined) return this.resolve(parent.parameters[v.Ref], parent.file, depth + 1);
        if (t.Parameters[v.Ref].Default !== undefined) return { literal: t.Parameters[v.Ref].Default };
      }
      return undefined;
    }
    const getAtt = v['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const [id, attr] = Array.isArray(getAtt) ? getAtt : String(getAtt).split(/\.(.*)/);
      const resource = t.Resources?.[id];
      if (!resource) return undefined;
      const child = this.children.get(`${file}#${id}`);
      if (child && typeof attr === 'string' && attr.startsWith('Outputs.')) {
        const output = this.templates.get(child)?.Outputs?.[attr.slice('Outputs.'.length)];
        return output ? this.resolve(output.Value, child, depth + 1) : undefined;
      }
      return { file, id, resource };
    }
    return undefined;
  }
}

function keyPart(config: Template | undefined, behaviorField: string, listField: string, lower: boolean): KeyPart {
  const raw = String(config?.[behaviorField] ?? 'none');
  const names = ((config?.[listField] ?? []) as unknown[]).map((n) => (lower ? String(n).toLowerCase() : String(n)));
  if (raw === 'none' || raw === 'all' || raw === 'whitelist' || raw === 'allExcept') return { behavior: raw, names };
  throw new Error(`cache model: cache key behavior ${JSON.stringify(raw)} is not one CloudFront allows in a cache key`);
}

/** A cache policy's key, from its `CachePolicyConfig`. */
export function cacheKeyOf(config: Template, source: string): CacheKeyPolicy {
  const p = config.ParametersInCacheKeyAndForwardedToOrigin ?? {};
  const headers = keyPart(p.HeadersConfig, 'HeaderBehavior', 'Headers', true);
  if (headers.behavior !== 'none' && headers.behavior !== 'whitelist')
    throw new Error(`cache model: ${source}: header behavior ${headers.behavior} in a cache key`);
  return {
    source,
    headers,
    queryStrings: keyPart(p.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings', false),
    cookies: keyPart(p.CookiesConfig, 'CookieBehavior', 'Cookies', false),
    caching: Number(config.MaxTTL ?? 1) > 0,
    minTtl: Number(config.MinTTL ?? 0),
  };
}

/** The cache key of a behavior configured with legacy `ForwardedValues`. */
function legacyKey(fv: Template, behavior: Template): CacheKeyPolicy {
  const headers = ((fv.Headers ?? []) as string[]).map((h) => h.toLowerCase());
  if (headers.includes('*'))
    throw new Error('cache model: ForwardedValues with every header: nothing is cached by a key this model bounds');
  const keys = (fv.QueryStringCacheKeys ?? []) as string[];
  const cookies = String(fv.Cookies?.Forward ?? 'none');
  return {
    source: 'ForwardedValues',
    headers: { behavior: headers.length > 0 ? 'whitelist' : 'none', names: headers },
    queryStrings:
      fv.QueryString === true || fv.QueryString === 'true'
        ? keys.length > 0
          ? { behavior: 'whitelist', names: keys }
          : { behavior: 'all', names: [] }
        : { behavior: 'none', names: [] },
    cookies:
      cookies === 'all'
        ? { behavior: 'all', names: [] }
        : cookies === 'whitelist'
          ? { behavior: 'whitelist', names: (fv.Cookies?.WhitelistedNames ?? []) as string[] }
          : { behavior: 'none', names: [] },
    caching: Number(behavior.MaxTTL ?? 1) > 0,
    minTtl: Number(behavior.MinTTL ?? 0),
  };
}

/** Headers an origin request policy forwards (lower-case; `*` for every viewer header). */
function originRequestHeaders(config: Template): string[] {
  const hc = config.HeadersConfig ?? {};
  const hb = String(hc.HeaderBehavior ?? 'none');
  const names = ((hc.Headers ?? []) as string[]).map((h) => h.toLowerCase());
  if (hb === 'none') return [];
  if (hb === 'whitelist') return names;
  if (hb === 'allViewer') return ['*'];
  if (hb === 'allViewerAndWhitelistCloudFront') return ['*', ...names];
  if (hb === 'allExcept') return ['*'];
  throw new Error(`cache model: origin request header behavior ${JSON.stringify(hb)}`);
}

/** The text of a `FunctionCode`: a string, or an `Fn::Join` of strings. */
function functionCode(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  const join = (value as Template | undefined)?.['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]) && join[1].every((p: unknown) => typeof p === 'string'))
    return join[1].join(join[0]);
  throw new Error(`cache model: the code of CloudFront Function ${name} is not a literal`);
}

/**
 * Every distribution of an assembly's templates (template file name →
 * template), with what the model needs of each; sorted by id.
 */
export function distributionsOf(templates: ReadonlyMap<string, Template>, assemblyDir?: string): DistributionModel[] {
  const resolver = new Resolver(templates, assemblyDir);
  const out: DistributionModel[] = [];
  for (const [file, t] of templates) {
    for (const [id, r] of Object.entries<Template>(t.Resources ?? {})) {
      if (r.Type !== 'AWS::CloudFront::Distribution') continue;
      const config = r.Properties?.DistributionConfig ?? {};
      if (config.Enabled === false) continue;
      out.push(distributionOf({ resolver, file, where: `${file}#${id}` }, config));
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Where a distribution's references are followed from: the resolver, its template file, and `file#id` (its id, and what errors name). */
interface DistributionScope {
  readonly resolver: Resolver;
  readonly file: string;
  readonly where: string;
}

/** One distribution's model, from its `DistributionConfig`: aliases, then the path behaviors in order and the default one. */
function distributionOf(scope: DistributionScope, config: Template): DistributionModel {
  const aliases = ((config.Aliases ?? []) as unknown[])
    .map((a) => scope.resolver.resolve(a, scope.file))
    .flatMap((a) => (a && 'literal' in a && typeof a.literal === 'string' ? [a.literal.toLowerCase()] : []));
  const behaviors = ((config.CacheBehaviors ?? []) as Template[]).map((b) => behaviorOf(scope, b, String(b.PathPattern)));
  behaviors.push(behaviorOf(scope, config.DefaultCacheBehavior ?? {}));
  return { id: scope.where, aliases, behaviors };
}

/** One cache behavior's model: its cache key, forwarded headers, Lambda@Edge events and viewer CloudFront Functions. */
function behaviorOf(scope: DistributionScope, b: Template, pathPattern?: string): BehaviorModel {
  const cacheKey = behaviorCacheKey(scope, b);
  const forwarded = forwardedHeadersOf(scope, b, cacheKey);
  const lambdaEvents = lambdaEventsOf(b);
  const { viewerRequestFunction, viewerResponseFunction } = viewerFunctionsOf(scope, b);
  return {
    ...(pathPattern !== undefined ? { pathPattern } : {}),
    cacheKey,
    forwardedHeaders: forwarded,
    lambdaEvents,
    ...(viewerRequestFunction ? { viewerRequestFunction } : {}),
    ...(viewerResponseFunction ? { viewerResponseFunction } : {}),
  };
}

/** A behavior's cache key: from its cache policy (managed, or one in the templates), else its legacy `ForwardedValues`. */
function behaviorCacheKey(scope: DistributionScope, b: Template): CacheKeyPolicy {
  const { where } = scope;
  if (b.CachePolicyId !== undefined) {
    const ref = scope.resolver.resolve(b.CachePolicyId, scope.file);
    if (ref && 'literal' in ref) {
      const managed = MANAGED_CACHE_POLICIES[String(ref.literal)];
      if (!managed) throw new Error(`cache model: ${where}: cache policy ${String(ref.literal)} is not one this model knows`);
      return { source: String(ref.literal), ...managed };
    } else if (ref && ref.resource.Type === 'AWS::CloudFront::CachePolicy') {
      return cacheKeyOf(ref.resource.Properties?.CachePolicyConfig ?? {}, ref.id);
    } else throw new Error(`cache model: ${where}: its cache policy could not be followed to a policy`);
  } else if (b.ForwardedValues) return legacyKey(b.ForwardedValues, b);
  else throw new Error(`cache model: ${where}: a behavior with neither a cache policy nor ForwardedValues`);
}

/** Headers a behavior forwards to the origin (lower-case; `*` for all): its cache key's and its origin request policy's. */
function forwardedHeadersOf(scope: DistributionScope, b: Template, cacheKey: CacheKeyPolicy): Set<string> {
  const forwarded = new Set<string>(cacheKey.headers.names);
  if (b.OriginRequestPolicyId !== undefined) {
    const ref = scope.resolver.resolve(b.OriginRequestPolicyId, scope.file);
    let headers: readonly string[] | undefined;
    if (ref && 'literal' in ref) headers = MANAGED_ORIGIN_REQUEST_POLICIES[String(ref.literal)];
    else if (ref && ref.resource.Type === 'AWS::CloudFront::OriginRequestPolicy')
      headers = originRequestHeaders(ref.resource.Properties?.OriginRequestPolicyConfig ?? {});
    if (!headers) throw new Error(`cache model: ${scope.where}: its origin request policy could not be followed to a policy`);
    for (const h of headers) forwarded.add(h);
  }
  return forwarded;
}

/** How many Lambda@Edge functions a behavior associates, by event type. */
function lambdaEventsOf(b: Template): Record<string, number> {
  const lambdaEvents: Record<string, number> = {};
  for (const a of (b.LambdaFunctionAssociations ?? []) as Template[])
    lambdaEvents[String(a.EventType)] = (lambdaEvents[String(a.EventType)] ?? 0) + 1;
  return lambdaEvents;
}

/** A behavior's viewer-request and viewer-response CloudFront Functions (the last of each event wins). */
function viewerFunctionsOf(
  scope: DistributionScope,
  b: Template,
): { viewerRequestFunction?: CloudFrontFunctionModel; viewerResponseFunction?: CloudFrontFunctionModel } {
  let viewerRequestFunction: CloudFrontFunctionModel | undefined;
  let viewerResponseFunction: CloudFrontFunctionModel | undefined;
  for (const a of (b.FunctionAssociations ?? []) as Template[]) {
    const ref = scope.resolver.resolve(a.FunctionARN, scope.file);
    if (!ref || 'literal' in ref || ref.resource.Type !== 'AWS::CloudFront::Function')
      throw new Error(`cache model: ${scope.where}: a CloudFront Function association that could not be followed to its function`);
    const store = keyValueStoreOf(scope, ref.resource, ref.file);
    const fn = {
      name: ref.id,
      code: functionCode(ref.resource.Properties?.FunctionCode, ref.id),
      ...(store ? { keyValueStore: store } : {}),
    };
    if (a.EventType === 'viewer-request') viewerRequestFunction = fn;
    else if (a.EventType === 'viewer-response') viewerResponseFunction = fn;
  }
  return { viewerRequestFunction, viewerResponseFunction };
}

/** The data of the key value store associated with a CloudFront Function, read from the assembly's assets; undefined when it has none. */
function keyValueStoreOf(scope: DistributionScope, fn: Template, file: string): ReadonlyMap<string, string> | undefined {
  const association = (fn.Properties?.FunctionConfig?.KeyValueStoreAssociations ?? [])[0] as Template | undefined;
  if (association === undefined) return undefined;
  const ref = scope.resolver.resolve(association.KeyValueStoreARN, file);
  if (!ref || 'literal' in ref || ref.resource.Type !== 'AWS::CloudFront::KeyValueStore')
    throw new Error(`cache model: ${scope.where}: a key value store association that could not be followed to its store`);
  const source = scope.resolver.resolve(ref.resource.Properties?.ImportSource?.SourceArn, ref.file);
  if (!source || !('literal' in source) || scope.resolver.assemblyDir === undefined)
    throw new Error(
      `cache model: ${scope.where}: the data of key value store ${ref.id} cannot be read without its cloud assembly's folder`,
    );
  return readKeyValueStoreAsset(scope.resolver.assemblyDir, String(source.literal));
}

/** Whether CloudFront routes `host` to a distribution with `alias`: equal, or under a wildcard by exactly one label. */
export function aliasMatches(alias: string, host: string): boolean {
  return alias === host || (alias.startsWith('*.') && wildcardOf(host) === alias);
}

/** A CloudFront path pattern (`*` any characters, `?` one; case-sensitive; the leading `/` optional) as a test of a URI. */
function pathPatternTest(pattern: string): (uri: string) => boolean {
  const body = (pattern.startsWith('/') ? pattern : '/' + pattern)
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${body}$`);
  return (uri) => re.test(uri);
}

/** One viewer request, as the model plays it. */
export interface ViewerRequest {
  readonly host: string;
  readonly uri: string;
  /** Without `?`. */
  readonly querystring: string;
  /** Two-letter country, or `''` when CloudFront cannot tell. */
  readonly country: string;
}

/** What one request did. */
export interface PlayResult {
  /** The distribution CloudFront routed it to; undefined when no alias matches (CloudFront refuses it). */
  readonly distribution?: string;
  /** Its cache key, when it reached the cache. */
  readonly key?: string;
  /** Lambda@Edge runs it caused: origin-request on a miss, viewer events always. */
  readonly lambdaRuns: number;
  /** CloudFront Function runs it caused. */
  readonly cloudFrontFunctionRuns: number;
}

function valuesOf(v: CfValue | undefined): string[] {
  if (!v) return [];
  if (Array.isArray(v.multiValue) && v.multiValue.length > 0) return v.multiValue.map((m) => String(m.value));
  return [String(v.value)];
}

function selected(part: KeyPart, name: string): boolean {
  switch (part.behavior) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'whitelist':
      return part.names.includes(name);
    case 'allExcept':
      return !part.names.includes(name);
  }
}

/** The CloudFront-generated headers this model knows. */
const COUNTRY = 'cloudfront-viewer-country';

interface LoadedBehavior {
  readonly model: BehaviorModel;
  readonly test?: (uri: string) => boolean;
  readonly viewerRequest?: (event: unknown) => unknown;
}

/** A key value store's data that counts each read a function makes of it. */
class CountedStore extends Map<string, string> {
  constructor(
    data: ReadonlyMap<string, string>,
    private readonly reads: { count: number },
  ) {
    super(data);
  }

  override get(key: string): string | undefined {
    this.reads.count++;
    return super.get(key);
  }

  override has(key: string): boolean {
    this.reads.count++;
    return super.has(key);
  }
}

/**
 * The cache of every distribution of an assembly: `play` routes a request
 * by Host, picks the behavior, runs its viewer-request CloudFront Function,
 * builds the cache key and counts the function runs. Keys seen stay cached.
 */
export class CacheModel {
  private readonly exact = new Map<string, number>();
  private readonly wildcards: { alias: string; index: number }[] = [];
  private readonly loaded: { model: DistributionModel; behaviors: LoadedBehavior[] }[];
  private readonly cached = new Set<string>();
  private readonly reads = { count: 0 };

  constructor(readonly distributions: readonly DistributionModel[]) {
    this.loaded = distributions.map((d, index) => {
      for (const alias of d.aliases) {
        if (alias.startsWith('*.')) this.wildcards.push({ alias, index });
        else this.exact.set(alias, index);
      }
      return {
        model: d,
        behaviors: d.behaviors.map((b) => ({
          model: b,
          ...(b.pathPattern !== undefined ? { test: pathPatternTest(b.pathPattern) } : {}),
          ...(b.viewerRequestFunction
            ? {
                viewerRequest: loadCloudFrontFunction(
                  b.viewerRequestFunction.code,
                  `${d.id}/${b.viewerRequestFunction.name}.js`,
                  b.viewerRequestFunction.keyValueStore && new CountedStore(b.viewerRequestFunction.keyValueStore, this.reads),
                ),
              }
            : {}),
        })),
      };
    });
  }

  /** The index of the distribution CloudFront routes `host` to: the exact alias, else a wildcard one. */
  private indexOf(host: string): number | undefined {
    const h = host.toLowerCase();
    return this.exact.get(h) ?? this.wildcards.find((w) => aliasMatches(w.alias, h))?.index;
  }

  /** The distribution CloudFront routes `host` to: the exact alias, else a wildcard one. */
  route(host: string): DistributionModel | undefined {
    const i = this.indexOf(host);
    return i === undefined ? undefined : this.distributions[i];
  }

  /** Reads the functions have made of their key value stores so far. */
  get keyValueStoreReads(): number {
    return this.reads.count;
  }

  /** Plays one request; a promise only when a viewer-request function is async. */
  play(req: ViewerRequest): PlayResult | Promise<PlayResult> {
    const index = this.indexOf(req.host);
    if (index === undefined) return { lambdaRuns: 0, cloudFrontFunctionRuns: 0 };
    const d = this.loaded[index];
    const behavior = d.behaviors.find((b) => !b.test || b.test(req.uri)) ?? d.behaviors[d.behaviors.length - 1];
    const b = behavior.model;
    const headers: CfValues = { host: { value: req.host } };
    const countryForwarded = b.forwardedHeaders.has(COUNTRY);
    if (countryForwarded && req.country) headers[COUNTRY] = { value: req.country };
    const request = { method: 'GET', uri: req.uri, querystring: parseQuery(req.querystring), headers, cookies: {} };
    const viewerRuns = (b.lambdaEvents['viewer-request'] ?? 0) + (b.lambdaEvents['viewer-response'] ?? 0);
    const cfRuns = (behavior.viewerRequest ? 1 : 0) + (b.viewerResponseFunction ? 1 : 0);
    if (!behavior.viewerRequest) return this.lookup(d.model.id, b, request, req.country, viewerRuns, cfRuns);
    const event = {
      version: '1.0',
      context: { eventType: 'viewer-request', distributionId: d.model.id },
      viewer: { ip: '198.51.100.1' },
      request,
    };
    const result = behavior.viewerRequest(event);
    const after = (r: unknown): PlayResult => {
      const out = r as { uri?: unknown; statusCode?: unknown } | undefined;
      // A response from viewer-request goes straight back: no cache lookup, no origin, no origin-request function.
      if (!out || typeof out.uri !== 'string') {
        if (out && out.statusCode !== undefined)
          return { distribution: d.model.id, lambdaRuns: viewerRuns, cloudFrontFunctionRuns: cfRuns };
        throw new Error(`cache model: ${d.model.id}: the viewer-request function returned neither a request nor a response`);
      }
      return this.lookup(d.model.id, b, out as typeof request, req.country, viewerRuns, cfRuns);
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') return (result as Promise<unknown>).then(after);
    return after(result);
  }

  private lookup(
    distribution: string,
    b: BehaviorModel,
    request: { uri: string; querystring: unknown; headers: CfValues; cookies: unknown },
    country: string,
    viewerRuns: number,
    cfRuns: number,
  ): PlayResult {
    let key = distribution + ' ' + request.uri;
    for (const name of b.cacheKey.headers.names) {
      // CloudFront adds its own headers itself, whatever the function did.
      const values = name === COUNTRY ? (country ? [country] : []) : valuesOf(request.headers[name]);
      key += '\n' + name + ':' + values.join(',');
    }
    const query = typeof request.querystring === 'string' ? parseQuery(request.querystring) : ((request.querystring ?? {}) as CfValues);
    if (b.cacheKey.queryStrings.behavior !== 'none') {
      for (const [name, v] of Object.entries(query))
        if (selected(b.cacheKey.queryStrings, name)) key += '\n?' + name + '=' + valuesOf(v).join(',');
    }
    if (b.cacheKey.cookies.behavior !== 'none') {
      for (const [name, v] of Object.entries((request.cookies ?? {}) as CfValues))
        if (selected(b.cacheKey.cookies, name)) key += '\n;' + name + '=' + valuesOf(v).join(',');
    }
    const miss = !b.cacheKey.caching || !this.cached.has(key);
    if (miss) this.cached.add(key);
    const originRuns = miss ? (b.lambdaEvents['origin-request'] ?? 0) : 0;
    return { distribution, key, lambdaRuns: viewerRuns + originRuns, cloudFrontFunctionRuns: cfRuns };
  }
}
