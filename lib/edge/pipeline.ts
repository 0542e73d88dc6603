/**
 * A request through a redirect behavior as CloudFront runs it: the
 * viewer-request CloudFront Function, the cache key, the origin-request
 * Lambda@Edge handler (on a cache miss), and the viewer-response CloudFront
 * Function. The preview server answers with it, and the tests prove from the
 * synthesized templates that no cache key maps to two answers.
 */
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import type { CompiledTables, SiteMode } from '../../lambda/engine';
import type { EdgeHandler } from '../../lambda/handler';
import {
  CfValues,
  decidesByCountry,
  Forwarding,
  loadCloudFrontFunction,
  originRequestEvent,
  parseQuery,
  redirectCacheKey,
  redirectForwarding,
  VIEWER_COUNTRY_HEADER,
  ViewerRequest,
} from './cloudfront-event';
import { appendQueryFunctionCode, countryKeyFunctionCode, countryKeys } from './viewer-functions';
import { countrySplits } from './country-splits';

/** A CloudFront Function's handler, loaded from its code. */
export type ViewerFunction = (event: unknown) => unknown;

/** Loads a CloudFront Function's code (a top-level `function handler(event)`) in a context of its own, as CloudFront runs it. */
export function loadViewerFunction(code: string, name = 'viewer function', keyValueStore?: ReadonlyMap<string, string>): ViewerFunction {
  return loadCloudFrontFunction<ViewerFunction>(code, name, keyValueStore);
}

/** The functions and policies of one redirect behavior. */
export interface RedirectBehaviorModel {
  /** Viewer-request function, when the behavior has one. */
  readonly viewerRequest?: ViewerFunction;
  /** Viewer-response function, when the behavior has one. */
  readonly viewerResponse?: ViewerFunction;
  /** Headers in the cache key (lower-case) and whether the query string is. */
  readonly cacheKey: Forwarding;
  /** What reaches the origin request (cache key and origin request policy). */
  readonly forwarding: Forwarding;
  readonly handler: EdgeHandler;
}

/** The country-key function as the stack builds it for `tables` (lib/stacks/poco-sunset-stack.ts), with its key value store's data. */
export function countryKeyFunctionModel(tables: CompiledTables): ViewerFunction {
  const keys = countryKeys(tables);
  const splits = countrySplits(tables, keys);
  const regions = tables.regions.map((r) => r.name);
  return loadViewerFunction(countryKeyFunctionCode(regions, keys, splits.size > 0), 'country-key', splits);
}

/**
 * The redirect behavior of a site of `mode` as the stack builds it (the same
 * policies and function code), around `handler`: what the preview runs.
 */
export function redirectBehaviorModel(mode: SiteMode, tables: CompiledTables, handler: EdgeHandler): RedirectBehaviorModel {
  return {
    viewerRequest: decidesByCountry(mode) ? countryKeyFunctionModel(tables) : undefined,
    viewerResponse: loadViewerFunction(appendQueryFunctionCode()),
    cacheKey: { headers: redirectCacheKey(mode), queryString: false },
    forwarding: redirectForwarding(mode),
    handler,
  };
}

/** What the viewer-request stage leaves: the request's headers (lower-case names) as CloudFront then holds them. */
export async function viewerRequestHeaders(model: RedirectBehaviorModel, viewer: ViewerRequest): Promise<Record<string, string>> {
  const forwarded = new Set(model.forwarding.headers);
  const headers: CfValues = { host: { value: viewer.host } };
  for (const [name, value] of Object.entries(viewer.otherHeaders ?? {})) headers[name.toLowerCase()] = { value };
  // CloudFront adds the country header only where a policy of the behavior includes it.
  if (viewer.country && forwarded.has(VIEWER_COUNTRY_HEADER)) headers[VIEWER_COUNTRY_HEADER] = { value: viewer.country };
  if (model.viewerRequest) {
    const request = {
      method: viewer.method ?? 'GET',
      uri: viewer.uri ?? '/',
      querystring: parseQuery(viewer.querystring ?? ''),
      headers,
      cookies: {},
    };
    await model.viewerRequest({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '198.51.100.1' }, request });
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) if (v !== undefined) out[name] = v.value;
  return out;
}

/** The cache key CloudFront computes for a request: the URI, the key's headers, and the query string when it is in the key. */
export async function cacheKey(model: RedirectBehaviorModel, viewer: ViewerRequest): Promise<string> {
  const headers = await viewerRequestHeaders(model, viewer);
  const parts = [viewer.uri ?? '/', ...model.cacheKey.headers.map((h) => `${h}=${headers[h] ?? ''}`)];
  if (model.cacheKey.queryString) parts.push(`?${viewer.querystring ?? ''}`);
  return parts.join('\n');
}

/** What the origin-request function answers for a request (what CloudFront caches under its key). */
export async function originAnswer(
  model: RedirectBehaviorModel,
  viewer: ViewerRequest,
): Promise<CloudFrontRequest | CloudFrontResultResponse> {
  // The headers as the viewer-request stage left them; Host and the viewer's country are added again by the event builder.
  const headers = await viewerRequestHeaders(model, viewer);
  delete headers.host;
  delete headers[VIEWER_COUNTRY_HEADER];
  return model.handler(originRequestEvent({ ...viewer, otherHeaders: headers }, model.forwarding));
}

/** The response a viewer gets: the origin-request answer through the viewer-response function. */
export async function viewerAnswer(
  model: RedirectBehaviorModel,
  viewer: ViewerRequest,
): Promise<CloudFrontRequest | CloudFrontResultResponse> {
  const answer = await originAnswer(model, viewer);
  if (!('status' in answer) || !model.viewerResponse) return answer;
  const headers: CfValues = {};
  for (const [name, list] of Object.entries(answer.headers ?? {})) if (list && list[0]) headers[name] = { value: list[0].value };
  const response = { statusCode: Number(answer.status), statusDescription: answer.statusDescription, headers, cookies: {} };
  const request = {
    method: viewer.method ?? 'GET',
    uri: viewer.uri ?? '/',
    querystring: parseQuery(viewer.querystring ?? ''),
    headers: {},
    cookies: {},
  };
  model.viewerResponse({ version: '1.0', context: { eventType: 'viewer-response' }, viewer: { ip: '198.51.100.1' }, request, response });
  const out: NonNullable<CloudFrontResultResponse['headers']> = {};
  for (const [name, v] of Object.entries(response.headers)) {
    if (v === undefined) continue;
    const original = answer.headers?.[name]?.[0]?.key;
    out[name] = [{ key: original ?? name, value: v.value }];
  }
  return { ...answer, headers: out };
}
