/** URL normalisation and encoding, function by function. */
import {
  canonicalPath,
  canonicalSegment,
  locationChecker,
  lowerSegment,
  normaliseCountry,
  normaliseHost,
  safeQuery,
} from '../../../lambda/engine';

describe('canonicalPath', () => {
  test.each([
    ['/', [], true, undefined],
    ['', [], true, undefined],
    ['/a/b', ['a', 'b'], false, undefined],
    ['/a/b/', ['a', 'b'], true, undefined],
    ['//a///b//', ['a', 'b'], true, undefined],
    ['/a/./b/.', ['a', 'b'], true, undefined],
    ['/a/b/..', ['a'], true, undefined],
    ['/../../a', ['a'], false, undefined],
    ['/a/%2E%2e/b', ['b'], false, undefined],
    ['/a/index.html', ['a'], true, 'index.html'],
    ['/a/INDEX.HTML', ['a'], true, 'INDEX.HTML'],
    ['/a/index.html/', ['a', 'index.html'], true, undefined],
    ['/%7euser/%41%2f%2F', ['~user', 'A%2F%2F'], false, undefined],
    ['/a b/\u00e9/"<>', ['a%20b', '%C3%A9', '%22%3C%3E'], false, undefined],
    ['/\\evil.com', ['%5Cevil.com'], false, undefined],
    ['/100%/%zz/%4', ['100%25', '%25zz', '%254'], false, undefined],
    ['/\r\n/\u0000', ['%0D%0A', '%00'], false, undefined],
    ['/\ud800x', ['%EF%BF%BDx'], false, undefined],
  ])('%j', (raw, segments, trailingSlash, index) => {
    expect(canonicalPath(raw)).toEqual(index === undefined ? { segments, trailingSlash } : { segments, trailingSlash, index });
  });
});

describe('encoding', () => {
  test.each([
    ['plain-slug_1.2~x', 'plain-slug_1.2~x'],
    ["sub-delims!$&'()*+,;=:@", "sub-delims!$&'()*+,;=:@"],
    ['%41%62%2d%5F', 'Ab-_'],
    ['%c3%a9', '%C3%A9'],
  ])('canonicalSegment(%j) = %j', (raw, out) => expect(canonicalSegment(raw)).toBe(out));

  test.each([
    ['a=1&b=%2F&c=x+y', 'a=1&b=%2F&c=x+y'],
    ['next=//evil.com/?x', 'next=//evil.com/?x'],
    ['a=%2f', 'a=%2f'],
    ['a=b c', 'a=b%20c'],
    ['a=\r\nSet-Cookie:x', 'a=%0D%0ASet-Cookie:x'],
    ['a=%zz&b=%', 'a=%25zz&b=%25'],
    ['q=\u00e9#frag', 'q=%C3%A9%23frag'],
    ['x=<script>', 'x=%3Cscript%3E'],
  ])('safeQuery(%j) = %j', (raw, out) => expect(safeQuery(raw)).toBe(out));

  test.each([
    ['POCO-F6', 'poco-f6'],
    ['Caf%C3%A9', 'caf%C3%A9'],
    ['%c3%a9X', '%C3%A9x'],
  ])('lowerSegment(%j) = %j', (raw, out) => expect(lowerSegment(raw)).toBe(out));
});

describe('hosts and countries', () => {
  test.each([
    ['PO.CO', 'po.co'],
    ['po.co:443', 'po.co'],
    ['po.co.', 'po.co'],
    [' uk.po.co ', 'uk.po.co'],
    ['po.co@evil.com', ''],
    ['po.co/evil', ''],
    ['-bad.po.co', ''],
    ['', ''],
  ])('normaliseHost(%j) = %j', (raw, out) => expect(normaliseHost(raw)).toBe(out));

  test.each([
    ['gb', 'GB'],
    [' IN ', 'IN'],
    ['GBR', ''],
    ['G1', ''],
    ['', ''],
  ])('normaliseCountry(%j) = %j', (raw, out) => expect(normaliseCountry(raw)).toBe(out));
});

describe('locationChecker', () => {
  const safe = locationChecker(['www.mi.com', 'in.po.co']);
  test.each([
    ['https://www.mi.com/uk/', true],
    ['https://www.mi.com', true],
    ['https://www.mi.com?x=1', true],
    ['https://in.po.co/a#b', true],
    ['http://www.mi.com/', false],
    ['https://www.mi.com.evil.com/', false],
    ['https://www.mi.com@evil.com/', false],
    ['https://www.mi.com:8443/', false],
    ['https://evil.com/www.mi.com/', false],
    ['https://www.mi.com/a b', false],
    ['https://www.mi.com/\r\nx', false],
    ['https://www.mi.com/\\evil.com', false],
    ['https://www.mi.com/\u00e9', false],
    ['//www.mi.com/', false],
    ['https://wwwXmi.com/', false],
    ['https://www.mi.com/\n', false],
    ['https://www.mi.com/x\u007f', false],
    ['HTTPS://www.mi.com/', false],
    ['https://in.po.co', true],
    ["https://in.po.co/~a!$&'()*+,;=:@%20", true],
  ])('%j is safe: %s', (location, ok) => expect(safe(location)).toBe(ok));

  test('no allowed host: nothing is safe', () => {
    expect(locationChecker([])('https://www.mi.com/')).toBe(false);
  });
});
