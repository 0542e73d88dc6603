/**
 * Builds CloudFront origin-request events the way CloudFront builds them for
 * the redirect behaviors: only the headers the policies forward (those the
 * decision reads, see DECISION_INPUTS), Host as the viewer sent it because
 * it is forwarded, and the country header only when CloudFront knows it.
 */
import type { CloudFrontHeaders, CloudFrontRequestEvent } from 'aws-lambda';
import { DECISION_INPUTS } from '../lambda/handler';

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

export function originRequestEvent(viewer: ViewerRequest): CloudFrontRequestEvent {
  const forwarded = new Set<string>(DECISION_INPUTS.headers);
  const headers: CloudFrontHeaders = {};
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    if (forwarded.has(key)) headers[key] = [{ key: name, value }];
  };
  for (const [name, value] of Object.entries(viewer.otherHeaders ?? {})) add(name, value);
  add('Host', viewer.host);
  if (viewer.country) add('CloudFront-Viewer-Country', viewer.country);
  return {
    Records: [
      {
        cf: {
          config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'origin-request', requestId: 'test' },
          request: {
            clientIp: '203.0.113.178',
            method: viewer.method ?? 'GET',
            uri: viewer.uri ?? '/',
            querystring: viewer.querystring ?? '',
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
