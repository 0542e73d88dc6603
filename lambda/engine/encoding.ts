/**
 * Percent-encoding shared by the engine and the viewer-response CloudFront
 * Function (lambda/viewer/append-query.ts), which runs `safeQuery` as this
 * very code. So it is written in the JavaScript CloudFront Functions run
 * (`cloudfront-js-2.0`: ES5.1 with const, let, arrow functions and template
 * literals): no `for...of`, no spread or destructuring, no typed arrays. The
 * function's build refuses anything else (lib/edge/viewer-functions.ts).
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = '0123456789ABCDEF';

export function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** UTF-8 percent-encoding of one character (or surrogate pair); upper-case hex. */
function encodeChar(ch: string): string {
  return ch.length === 1 && ch.charCodeAt(0) < 128 ? '%' + HEX[ch.charCodeAt(0) >> 4] + HEX[ch.charCodeAt(0) & 15] : encodeURIComponent(ch);
}

/**
 * Percent-encodes every character of `text` that is not in `safe` and is not
 * the start of a valid `%XX` escape. Lone surrogates become U+FFFD.
 */
export function encodeExcept(text: string, safe: RegExp, decodeUnreserved: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '%') {
      if (i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        const hex = text.slice(i + 1, i + 3).toUpperCase();
        const decoded = String.fromCharCode(parseInt(hex, 16));
        out += decodeUnreserved && UNRESERVED.test(decoded) ? decoded : '%' + (decodeUnreserved ? hex : text.slice(i + 1, i + 3));
        i += 2;
      } else {
        out += '%25';
      }
      continue;
    }
    if (safe.test(ch)) {
      out += ch;
      continue;
    }
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += encodeChar(text.slice(i, i + 2));
        i++;
        continue;
      }
    }
    out += encodeChar(code >= 0xd800 && code <= 0xdfff ? '\ufffd' : ch);
  }
  return out;
}

/** Per ASCII code: whether it may stand for itself in a query string (RFC 3986 query, `%` checked apart). */
const QUERY_PLAIN: boolean[] = [];
const QUERY_PLAIN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?";
for (let i = 0; i < 128; i++) QUERY_PLAIN.push(QUERY_PLAIN_CHARS.indexOf(String.fromCharCode(i)) >= 0);

/**
 * A query string made safe for a `Location` header: unchanged when it is
 * already a valid RFC 3986 query, otherwise with the offending characters
 * percent-encoded. Existing escapes are kept exactly as sent.
 */
export function safeQuery(raw: string): string {
  const plain = QUERY_PLAIN;
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const code = raw.charCodeAt(i);
    if (code < 128 && plain[code] === true) continue;
    if (code === 37 && i + 2 < n && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      i += 2;
      continue;
    }
    return encodeExcept(raw, /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/, false);
  }
  return raw;
}
