/**
 * The bulk redirect list (lib/config/redirects.ts): every problem a line can
 * have, each at its line with the bad value and the fix. Messages asserted exactly.
 */
import { csvProblems } from '../support/engine';

const FORMAT = '<SOURCE_URL>,<TARGET_URL>[,<STATUS_CODE>,<PRESERVE_QUERY_STRING>,<INCLUDE_SUBDOMAINS>,<SUBPATH_MATCHING>,<PRESERVE_PATH_SUFFIX>]';

describe('bulk list problems', () => {
  test.each([
    ['source_url,target_url', 'list.csv:1: "source_url,target_url" looks like a header row; the format has none. Fix: delete this line.'],
    ['po.co/a,https://evil.com/x', 'list.csv:1: TARGET_URL host "evil.com" is not on the allow-list. Fix: point it at www.mi.com, www.mi.co.id, new.c.mi.com or in.po.co, or add the host to allowedTargetHosts in config/sites.json.'],
    ['po.co/a,https://www.mi.com/uk/,303', 'list.csv:1: STATUS_CODE "303" is not a redirect status. Fix: use 301, 302, 307 or 308 (empty means 301).'],
    ['po.co/a,https://www.mi.com/uk/,301,yes', 'list.csv:1: PRESERVE_QUERY_STRING "yes" is not a boolean. Fix: write TRUE, true, FALSE, false or leave it empty (false).'],
    ['po.co/a,https://www.mi.com/uk/,301,,,,no', 'list.csv:1: PRESERVE_PATH_SUFFIX "no" is not a boolean. Fix: write TRUE, true, FALSE, false or leave it empty (true).'],
    ['po.co/d?x=1,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co/d?x=1" has a query string; sources match scheme, host and path only. Fix: remove "?x=1"; set PRESERVE_QUERY_STRING to pass queries on.'],
    ['po.co/d#x,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co/d#x" has a fragment, which browsers never send. Fix: remove "#x".'],
    ['ftp://po.co/d,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "ftp://po.co/d" has scheme "ftp". Fix: use http://, https:// or no scheme (matches both).'],
    ['po.co:8080/d,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co:8080/d" has user information or a port. Fix: give only the hostname, such as po.co.'],
    ['in.po.co/e,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL host "in.po.co" belongs to the frozen site "in", which is never redirected. Fix: remove this line, or move the host to a redirect site in config/sites.json.'],
    ['example.com/f,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL host "example.com" is not a hostname of any redirect site. Fix: use one of po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co or *.po.co, or add the host to a site in config/sites.json.'],
    ['example.com/f,https://www.mi.com/uk/,301,,TRUE', 'list.csv:1: SOURCE_URL host "example.com" has no redirect site hostname at or below it. Fix: use a domain of po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co or *.po.co.'],
    [',https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL is empty. Fix: write the old URL, such as po.co/old-page.'],
    ['po.co/g,http://www.mi.com/uk/', 'list.csv:1: TARGET_URL "http://www.mi.com/uk/" does not use https://; every redirect must lead to HTTPS. Fix: write "https://www.mi.com/uk/".'],
    ['po.co/g,/uk/', 'list.csv:1: TARGET_URL "/uk/" is not an absolute URL. Fix: write it with https:// and a host, such as https://www.mi.com/global/.'],
    ['po.co/g,javascript://www.mi.com/%0aalert(1)', 'list.csv:1: TARGET_URL "javascript://www.mi.com/%0aalert(1)" does not use https://; every redirect must lead to HTTPS. Fix: write "https://www.mi.com/%0aalert(1)".'],
    ['po.co/h,https://www.mi.com/uk/?a=1,301,TRUE', 'list.csv:1: TARGET_URL "https://www.mi.com/uk/?a=1" has a query string while PRESERVE_QUERY_STRING is true. Fix: remove the query string from the target, or set PRESERVE_QUERY_STRING to FALSE.'],
    ['po.co/i', `list.csv:1: has 1 field; a line has 2 to 7. Fix: write ${FORMAT}.`],
    ['a,b,c,d,e,f,g,h', `list.csv:1: has 8 fields; a line has 2 to 7. Fix: write ${FORMAT}.`],
    ['po.co/k,"https://www.mi.com/uk/', 'list.csv:1: a quoted field is not closed on its line. Fix: add the closing double quote (URLs never span lines).'],
    ['po.co/n,"https://www.mi.com/x"y', 'list.csv:1: unexpected "y" after a closing double quote. Fix: put a comma after the quoted field, or double any quote inside it ("").'],
    ['po.co/n,https://www.mi.com/"x"', 'list.csv:1: a double quote inside the unquoted field "https://www.mi.com/\\"x\\"". Fix: quote the whole field and double the quote inside it ("").'],
    ['po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17,https://www.mi.com/uk/,301,,,TRUE', 'list.csv:1: SOURCE_URL "po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17" has 17 "/" in its path; with SUBPATH_MATCHING at most 16 are allowed. Fix: shorten the source path, or set SUBPATH_MATCHING to FALSE.'],
    ['po.co/l,https://user@www.mi.com/', 'list.csv:1: TARGET_URL "https://user@www.mi.com/" has user information or a port. Fix: give only the hostname, such as www.mi.com.'],
    ['po.co/m,https://www.mi.com/a b', 'list.csv:1: TARGET_URL "https://www.mi.com/a b" has a character URLs do not allow (a space, a control or non-ASCII character, or one of "<>\\^`{|}). Fix: percent-encode it (a space is %20).'],
    ['po.co/m,"https://www.mi.com/""x"""', 'list.csv:1: TARGET_URL "https://www.mi.com/\\"x\\"" has a character URLs do not allow (a space, a control or non-ASCII character, or one of "<>\\^`{|}). Fix: percent-encode it (a space is %20).'],
    ['po.co/o,"https://www.mi.com/a\rb"', 'list.csv:1: holds a carriage return (CR) that does not end the line; lines end with LF or CRLF. Fix: remove the CR (URLs never hold line breaks).'],
    ['po.co/o\r,https://www.mi.com/', 'list.csv:1: holds a carriage return (CR) that does not end the line; lines end with LF or CRLF. Fix: remove the CR (URLs never hold line breaks).'],
    ['po.co/o,https://www.mi.com/a%zz', 'list.csv:1: TARGET_URL "https://www.mi.com/a%zz" has a "%" that does not start a percent-escape (% and two hex digits). Fix: write a literal % as %25.'],
    ['po.co/o,https://www.mi.com/50%', 'list.csv:1: TARGET_URL "https://www.mi.com/50%" has a "%" that does not start a percent-escape (% and two hex digits). Fix: write a literal % as %25.'],
    [
      `po.co/o,https://www.mi.com/${'x'.repeat(2030)}`,
      `list.csv:1: TARGET_URL "https://www.mi.com/xxxxxxxxxxxxxxxxxxxxx…" is 2,049 bytes long; at most 2,048 are allowed, so that every redirect stays well inside CloudFront's limit of 8,192 bytes on a URL. Fix: shorten the URL.`,
    ],
    [
      `po.co/${'é'.repeat(1022)},https://www.mi.com/`,
      `list.csv:1: SOURCE_URL "po.co/${'é'.repeat(34)}…" is 2,050 bytes long; at most 2,048 are allowed, so that every redirect stays well inside CloudFront's limit of 8,192 bytes on a URL. Fix: shorten the URL.`,
    ],
  ])('%s', (line, message) => {
    expect(csvProblems(line)).toEqual([message]);
  });

  test('16 slashes are allowed with subpath matching, and any number without', () => {
    expect(csvProblems('po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16,https://www.mi.com/uk/,301,,,TRUE')).toEqual([]);
    expect(csvProblems('po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18,https://www.mi.com/uk/')).toEqual([]);
  });

  test('a target of 1.1 MB is refused at its line, quoted in part', () => {
    expect(csvProblems(`po.co/a,https://www.mi.com/${'x'.repeat(1_100_000)}`)).toEqual([
      `list.csv:1: TARGET_URL "https://www.mi.com/xxxxxxxxxxxxxxxxxxxxx…" is 1,100,019 bytes long; at most 2,048 are allowed, so that every redirect stays well inside CloudFront's limit of 8,192 bytes on a URL. Fix: shorten the URL.`,
    ]);
  });

  test('sources and targets of 2,048 bytes, escapes and CRLF line ends are allowed', () => {
    expect(csvProblems(`po.co/o,https://www.mi.com/${'x'.repeat(2029)}`)).toEqual([]);
    expect(csvProblems(`po.co/${'a'.repeat(2042)},https://www.mi.com/%20%c3%a9\r\npo.co/p,https://www.mi.com/\r\n`)).toEqual([]);
  });

  test('duplicate sources, after normalisation, name both lines', () => {
    expect(csvProblems('po.co/j,https://www.mi.com/uk/\npo.co//j/,https://www.mi.com/de/\nhttps://po.co/j,https://www.mi.com/fr/')).toEqual([
      'list.csv:2: SOURCE_URL "po.co//j/" is the same source as line 1 (po.co/j). Fix: keep one of lines 1 and 2.',
    ]);
  });

});
