/**
 * How the frozen site (in.po.co) answers, without CDK: the CloudFront
 * Function that gives a folder URI its index.html (lambda/viewer/
 * frozen-index.js, run here in Node's `vm` exactly as deployed), the 404
 * page, and a lookup in a snapshot folder that answers as the distribution
 * over its S3 bucket does. The stack (lib/constructs/frozen-snapshot.ts), the preview
 * and `verify` all use these, so they agree on every URI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, CloudFrontFunctionTooLargeError } from './limits';
import { loadCloudFrontFunction } from './cloudfront-event';
import { PROJECT_ROOT } from '../config/load';

/** The frozen site's viewer-request CloudFront Function, as deployed. */
export const FROZEN_INDEX_FILE = path.join(PROJECT_ROOT, 'lambda', 'viewer', 'frozen-index.js');

/** The object a folder URI is answered with. */
export const INDEX_DOCUMENT = 'index.html';

/** The object every missing page is answered with, status 404: the snapshot's own, else `NOT_FOUND_PAGE`. */
export const NOT_FOUND_DOCUMENT = '404.html';

/**
 * Deployed as `404.html` when the snapshot has none, so that a missing page
 * answers 404 with this rather than S3's 403: a CloudFront error response can
 * only serve an object from the origin, never a body of its own.
 */
export const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Page not found - POCO India</title></head>
<body><h1>Page not found</h1><p>This page is not part of the POCO India archive. <a href="/">Go to its home page</a>.</p></body></html>
`;

/** The function's code as deployed (read from `file`); throws `CloudFrontFunctionTooLargeError` past CloudFront's 10 KB. */
export function frozenIndexCode(file: string = FROZEN_INDEX_FILE): string {
  const code = fs.readFileSync(file, 'utf8');
  const bytes = Buffer.byteLength(code);
  if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES)
    throw new CloudFrontFunctionTooLargeError(path.relative(PROJECT_ROOT, file) || file, bytes, 'shorten it.');
  return code;
}

/** The request of a CloudFront Functions event (the parts this project reads). */
export interface CfFunctionRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
  headers: Record<string, { value: string; multiValue?: { value: string }[] }>;
  cookies: Record<string, { value: string; multiValue?: { value: string }[] }>;
}

/** A CloudFront Functions viewer-request event (cloudfront-js-2.0). */
export interface CfFunctionEvent {
  version: '1.0';
  context: { eventType: 'viewer-request'; distributionDomainName?: string; distributionId?: string; requestId?: string };
  viewer: { ip: string };
  request: CfFunctionRequest;
}

/** The event CloudFront gives a viewer-request function for `uri`. */
export function viewerRequestEvent(uri: string, request: Partial<CfFunctionRequest> = {}): CfFunctionEvent {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {}, ...request },
  };
}

export type CfFunctionHandler = (event: CfFunctionEvent) => CfFunctionRequest;

/** The URI the frozen site's function passes on for a viewer's `uri` (query string apart). */
export function frozenIndexRewriter(code: string = frozenIndexCode()): (uri: string) => string {
  const handler = loadCloudFrontFunction<CfFunctionHandler>(code, FROZEN_INDEX_FILE);
  return (uri) => handler(viewerRequestEvent(uri)).uri;
}

/**
 * What the distribution answers for a (rewritten) URI from a snapshot folder:
 * the object at the key (200), or for a missing one (S3 answers 403, as the
 * distribution may not list the bucket) the error response's 404 with
 * `404.html`. `file` is the snapshot's file served; undefined for the
 * generated `NOT_FOUND_PAGE`.
 */
export type SnapshotAnswer =
  { readonly status: 200 | 404; readonly key: string; readonly file?: string } | { readonly status: 400; readonly reason: string };

/**
 * Whether `file` is a file. A path the file system cannot hold (a name past
 * its length limit, a path through a file such as `index.html/x`, a loop) is
 * no object, as S3 has no such key: never an error.
 */
function isFile(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Whether a snapshot folder has a page of its own at `name` (a file, not a folder). */
export function snapshotHas(contentDir: string, name: string): boolean {
  return isFile(path.join(contentDir, name));
}

/**
 * The answer for the URI the function passed on (`frozenIndexRewriter`), from
 * the bucket the snapshot folder is deployed to: the folder's files, plus
 * the generated `404.html` when it has none. The key is the URI
 * percent-decoded, as S3 reads it; a key outside the folder, or one the file
 * system cannot hold (a path through a file, a name too long), is missing.
 */
export function snapshotLookup(contentDir: string, uri: string): SnapshotAnswer {
  let key: string;
  try {
    key = decodeURIComponent(uri);
  } catch {
    return { status: 400, reason: 'the path is not valid percent-encoding' };
  }
  if (key.includes('\0')) return { status: 400, reason: 'the path holds a NUL character' };
  const root = path.resolve(contentDir);
  const file = path.join(root, key);
  if (file.startsWith(root + path.sep) && isFile(file)) return { status: 200, key, file };
  const own = snapshotHas(root, NOT_FOUND_DOCUMENT) ? path.join(root, NOT_FOUND_DOCUMENT) : undefined;
  // The generated 404.html is in the bucket too when the snapshot has none.
  if (!own && key === '/' + NOT_FOUND_DOCUMENT) return { status: 200, key };
  return { status: 404, key, file: own };
}
