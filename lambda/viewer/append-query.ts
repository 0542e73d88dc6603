/**
 * The viewer-response CloudFront Function of redirect sites: the query string
 * is not in the cache key, so the cached redirect carries none; when its rule
 * keeps the query string, the redirect function marked it
 * (`APPEND_QUERY_HEADER`), and this appends the viewer's query string to
 * `Location`, made safe by the engine's own `safeQuery`. The marker never
 * reaches the visitor.
 */
import { safeQuery } from '../engine/encoding';
import { APPEND_QUERY_HEADER } from './keys';

interface CfValue {
  value: string;
  multiValue?: { value: string }[];
}
interface CfEvent {
  request: { querystring: { [name: string]: CfValue | undefined } };
  response: { statusCode: number; headers: { [name: string]: CfValue | undefined } };
}

/**
 * The query string as the viewer sent it, from CloudFront's parsed form:
 * `name=value` pairs (values as sent, still percent-encoded) in the order
 * CloudFront lists them, repeated names kept; a name sent without `=` comes
 * back as `name=`.
 */
export function queryString(querystring: CfEvent['request']['querystring']): string {
  const parts: string[] = [];
  for (const name in querystring) {
    const entry = querystring[name];
    if (entry === undefined) continue;
    const values = entry.multiValue && entry.multiValue.length > 0 ? entry.multiValue : [entry];
    for (let i = 0; i < values.length; i++) parts.push(name + '=' + values[i].value);
  }
  return parts.join('&');
}

export function appendQuery(event: CfEvent): CfEvent['response'] {
  const response = event.response;
  const headers = response.headers;
  const marked = headers[APPEND_QUERY_HEADER] !== undefined;
  delete headers[APPEND_QUERY_HEADER];
  const location = headers.location;
  if (marked && location !== undefined && location.value.indexOf('?') < 0) {
    const query = queryString(event.request.querystring);
    const hash = location.value.indexOf('#');
    const base = hash < 0 ? location.value : location.value.slice(0, hash);
    const fragment = hash < 0 ? '' : location.value.slice(hash);
    if (query !== '') location.value = base + '?' + safeQuery(query) + fragment;
  }
  return response;
}

export function handler(event: CfEvent): CfEvent['response'] {
  return appendQuery(event);
}
