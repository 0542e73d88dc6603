/**
 * The frozen site served as a website: the viewer-request CloudFront Function
 * (lambda/viewer/frozen-index.js) run in Node's `vm` with CloudFront-shaped
 * events, its size against CloudFront Functions' limit, and the snapshot
 * lookup the preview and `verify` share.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, CloudFrontFunctionTooLargeError } from '../../lib/edge/limits';
import {
  CfFunctionEvent,
  CfFunctionHandler,
  FROZEN_INDEX_FILE,
  frozenIndexCode,
  frozenIndexRewriter,
  NOT_FOUND_PAGE,
  snapshotLookup,
  viewerRequestEvent,
} from '../../lib/edge/frozen-site';
import { loadCloudFrontFunction } from '../../lib/edge/cloudfront-event';
import { FROZEN_FIXTURE } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const code = frozenIndexCode();
const handler = loadCloudFrontFunction<CfFunctionHandler>(code, FROZEN_INDEX_FILE);
const rewrite = frozenIndexRewriter();

describe("the frozen site's CloudFront Function", () => {
  test.each([
    ['/', '/index.html'],
    ['/product/poco-c75', '/product/poco-c75/index.html'],
    ['/product/poco-c75/', '/product/poco-c75/index.html'],
    ['/a/b/', '/a/b/index.html'],
    ['/a/b', '/a/b/index.html'],
    ['/x.html', '/x.html'],
    ['/img/a.png', '/img/a.png'],
    ['/index.html', '/index.html'],
    ['/404.html', '/404.html'],
    ['/.well-known/x', '/.well-known/x/index.html'],
    ['/v1.2/notes', '/v1.2/notes/index.html'],
    ['/file.', '/file.'],
    // Nothing else is normalised: case, repeated slashes and percent-encoding stay as sent.
    ['/Product/POCO-C75', '/Product/POCO-C75/index.html'],
    ['//a//b', '//a//b/index.html'],
    ['/a%2Fb', '/a%2Fb/index.html'],
    ['/caf%C3%A9/', '/caf%C3%A9/index.html'],
    ['/a%2eb', '/a%2eb/index.html'],
  ])('%s -> %s', (uri, want) => {
    expect(rewrite(uri)).toBe(want);
  });

  test('returns the request it was given, with only the URI changed (method, query string, headers, cookies untouched)', () => {
    const event = viewerRequestEvent('/product/poco-c75', {
      method: 'HEAD',
      querystring: { utm_source: { value: 'x' } },
      headers: { host: { value: 'in.po.co' } },
      cookies: { a: { value: 'b' } },
    });
    const before = structuredClone(event.request);
    const out = handler(event);
    expect(out).toBe(event.request);
    expect(out).toEqual({ ...before, uri: '/product/poco-c75/index.html' });
  });

  test('never throws, and for any URI CloudFront can send (one starting with "/") returns a request whose URI starts with "/" and keeps the original as its prefix', () => {
    const uris = fc.oneof(
      fc.string({ unit: 'binary' }).map((s) => '/' + s),
      fc
        .array(fc.constantFrom('a', 'b.c', '', '.', '..', '%2F', 'index.html', 'x.png', 'é'), { maxLength: 6 })
        .map((segs) => '/' + segs.join('/')),
    );
    fc.assert(
      fc.property(uris, (uri) => {
        const out = handler(viewerRequestEvent(uri));
        expect(out.uri.startsWith('/')).toBe(true);
        expect(out.uri.startsWith(uri)).toBe(true);
        expect([uri, uri + 'index.html', uri + '/index.html']).toContain(out.uri);
      }),
      { numRuns: 2000 },
    );
    // Not even for a URI CloudFront would never send.
    fc.assert(
      fc.property(fc.anything(), (uri) => {
        expect(() =>
          handler({ ...viewerRequestEvent('/'), request: { ...viewerRequestEvent('/').request, uri: uri as string } }),
        ).not.toThrow();
      }),
    );
  });

  test('runs as cloudfront-js-2.0 code: no Node.js globals, a top-level handler, no module system', () => {
    expect(code).toMatch(/^function handler\(event\) \{$/m);
    expect(code).not.toMatch(/\b(require|module|exports|process|import)\b/);
  });

  test(`fits CloudFront Functions' code limit (${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes), with room to spare`, () => {
    expect(CLOUDFRONT_FUNCTION_MAX_BYTES).toBe(10 * 1024);
    expect(Buffer.byteLength(code)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES / 4);
    expect(code).toBe(fs.readFileSync(FROZEN_INDEX_FILE, 'utf8'));
  });

  test('code past the limit is refused at synth with the size and a fix', () => {
    const big = path.join(tmpDir('poco-cff-'), 'big.js');
    fs.writeFileSync(big, 'function handler(event) { return event.request; }\n' + '//'.padEnd(CLOUDFRONT_FUNCTION_MAX_BYTES, 'x'));
    const bytes = fs.statSync(big).size;
    expect(() => frozenIndexCode(big)).toThrow(CloudFrontFunctionTooLargeError);
    expect(() => frozenIndexCode(big)).toThrow(`is ${bytes} bytes; CloudFront Functions take at most 10240. Fix: shorten it.`);
  });

  test('a file with no top-level handler is refused', () => {
    expect(() => loadCloudFrontFunction('var x = 1;', 'x.js')).toThrow(
      'x.js: defines no top-level function handler(event), which CloudFront Functions call',
    );
  });

  test("the event shape is CloudFront's", () => {
    const event: CfFunctionEvent = viewerRequestEvent('/a');
    expect(event).toEqual({
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: expect.any(String) },
      request: { method: 'GET', uri: '/a', querystring: {}, headers: {}, cookies: {} },
    });
  });
});

describe('the snapshot lookup (what the distribution answers from the bucket)', () => {
  const lookup = (dir: string, uri: string): unknown => {
    const a = snapshotLookup(dir, rewrite(uri));
    return 'file' in a && a.file !== undefined ? { ...a, file: path.relative(dir, a.file) } : a;
  };

  test("with the snapshot's own 404.html: pages 200, folders their index.html, anything else 404 with that page", () => {
    expect(lookup(FROZEN_FIXTURE, '/')).toEqual({ status: 200, key: '/index.html', file: 'index.html' });
    expect(lookup(FROZEN_FIXTURE, '/product/poco-c75')).toEqual({
      status: 200,
      key: '/product/poco-c75/index.html',
      file: 'product/poco-c75/index.html',
    });
    expect(lookup(FROZEN_FIXTURE, '/product/poco-c75/')).toEqual({
      status: 200,
      key: '/product/poco-c75/index.html',
      file: 'product/poco-c75/index.html',
    });
    expect(lookup(FROZEN_FIXTURE, '/product/poco-c75/index.html')).toEqual({
      status: 200,
      key: '/product/poco-c75/index.html',
      file: 'product/poco-c75/index.html',
    });
    expect(lookup(FROZEN_FIXTURE, '/product/')).toEqual({ status: 404, key: '/product/index.html', file: '404.html' });
    expect(lookup(FROZEN_FIXTURE, '/nope.html')).toEqual({ status: 404, key: '/nope.html', file: '404.html' });
    expect(lookup(FROZEN_FIXTURE, '/%2e%2e/%2e%2e/package.json')).toEqual({ status: 404, key: '/../../package.json', file: '404.html' });
    expect(lookup(FROZEN_FIXTURE, '/%zz.html')).toEqual({ status: 400, reason: 'the path is not valid percent-encoding' });
    expect(lookup(FROZEN_FIXTURE, '/index.html%00.png')).toEqual({ status: 400, reason: 'the path holds a NUL character' });
  });

  test("without one: 404 with the plain page, which is also the bucket's 404.html", () => {
    const dir = tmpDir('poco-snapshot-');
    fs.writeFileSync(path.join(dir, 'index.html'), '<p>home</p>');
    expect(lookup(dir, '/missing')).toEqual({ status: 404, key: '/missing/index.html' });
    expect(lookup(dir, '/404.html')).toEqual({ status: 200, key: '/404.html' });
    expect(lookup(dir, '/')).toEqual({ status: 200, key: '/index.html', file: 'index.html' });
    expect(NOT_FOUND_PAGE).toMatch(/^<!doctype html>[\s\S]*Page not found[\s\S]*<\/html>\n$/);
  });
});
