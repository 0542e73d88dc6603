// CloudFront Function (cloudfront-js-2.0), viewer-request, on the frozen site
// (in.po.co) only: serves the S3 snapshot as a website would. A URI naming a
// folder gets that folder's index.html:
//   /a/b/  -> /a/b/index.html
//   /a/b   -> /a/b/index.html   (last segment without a dot)
//   /x.html, /img/a.png         unchanged
// Nothing else is normalised (case, repeated slashes, percent-encoding stay
// as sent, as S3 keys are). It never throws: a URI that is not a string is
// passed on untouched. Read by lib/frozen-site.ts (for the stack, the
// preview and verify); tested in test/frozen-site.test.ts. Keep it ES5-plain
// and well under CloudFront Functions' 10 KB code limit.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (typeof uri !== 'string' || uri.length === 0) return request;
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (uri.indexOf('.', uri.lastIndexOf('/') + 1) === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}
