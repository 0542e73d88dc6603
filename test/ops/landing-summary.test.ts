/**
 * The landing summary: every rule-name shape's category, the counts per
 * category and their text, hits per rule and the rules never hit.
 */
import { categoryOf, configuredRuleNames, renderRuleHits, renderSummary, ruleHits, summarise } from '../../lib/ops/landing-summary';

describe('categoryOf', () => {
  test.each([
    // Bulk list entries.
    ['bulk:config/redirects.csv:12', 'bulk entry'],
    ['bulk:/tmp/x/list.csv:1', 'bulk entry'],
    // Named rules of the rules file, through the label table.
    ['rule:product-page@config/rules.txt:36', 'product page or subpage'],
    ['rule:product-subpage@config/rules.txt:33', 'product page or subpage'],
    ['rule:unknown-product@config/rules.txt:45', 'landing: unknown product'],
    ['rule:no-match@config/rules.txt:50', 'landing: nothing matched'],
    ['rule:landing@config/rules.txt:25', 'landing (home)'],
    ['rule:support@config/rules.txt:47', 'support'],
    // Other names are their own category.
    ['rule:community@config/rules.txt:21', 'community'],
    ['rule:other-host@config/rules.txt:22', 'other-host'],
    // Unnamed rules, also with an '@' in the file's path.
    ['rule:config/rules.txt:40', 'unnamed rule'],
    ['rule:/srv/rules@2025/rules.txt:7', 'unnamed rule'],
    // Fallbacks, the frozen site, responses.
    ['fallback:store-home', 'fallback'],
    ['fallback:unknown-host', 'fallback'],
    ['fallback:no-rule', 'fallback'],
    ['origin:frozen-site', 'origin (frozen site)'],
    ['default:frozen-passthrough', 'frozen passthrough'],
    ['respond:method-not-allowed', 'respond'],
    ['respond:gone', 'respond'],
    // Today's engine's own rules.
    ['default:home', 'landing (home)'],
    ['default:product', 'product page or subpage'],
    ['default:support', 'support'],
    // Internal chains: the last hop decides.
    ['bulk:config/redirects.csv:3 > default:product', 'product page or subpage'],
    ['bulk:a.csv:1 > bulk:a.csv:2 > rule:no-match@config/rules.txt:50', 'landing: nothing matched'],
    ['rule:old-product-link@config/rules.txt:29 > rule:product-page@config/rules.txt:36', 'product page or subpage'],
    ['bulk:config/redirects.csv:3 > fallback:redirect-loop', 'fallback'],
    ['default:product > bulk:config/redirects.csv:3', 'bulk entry'],
    // Anything else: itself.
    ['default:something-new', 'default:something-new'],
    ['mystery', 'mystery'],
  ])('%s: %s', (rule, category) => {
    expect(categoryOf(rule)).toBe(category);
  });
});

const decisions = [
  { rule: 'bulk:config/redirects.csv:1', hits: 5 },
  { rule: 'bulk:config/redirects.csv:2', hits: 3 },
  { rule: 'rule:product-page@config/rules.txt:36', hits: 4 },
  { rule: 'rule:unknown-product@config/rules.txt:45', hits: 2 },
  { rule: 'fallback:store-home', hits: 1 },
  { rule: 'bulk:config/redirects.csv:4 > rule:support@config/rules.txt:47', hits: 1 },
  { rule: 'default:product', hits: 2 },
];

describe('summarise and renderSummary', () => {
  test('requests and distinct URLs per category, most requests first, then by name', () => {
    expect(summarise(decisions)).toEqual({
      rows: [
        { category: 'bulk entry', requests: 8, distinct: 2 },
        { category: 'product page or subpage', requests: 6, distinct: 2 },
        { category: 'landing: unknown product', requests: 2, distinct: 1 },
        { category: 'fallback', requests: 1, distinct: 1 },
        { category: 'support', requests: 1, distinct: 1 },
      ],
      total: { requests: 18, distinct: 7 },
    });
  });

  test('the table: category, requests, % of requests, distinct URLs, % of distinct, and the total', () => {
    expect(renderSummary(summarise(decisions), 'where traffic lands:')).toBe(
      [
        'where traffic lands:',
        '  category                  requests       %  distinct URLs       %',
        '  bulk entry                       8   44.4%              2   28.6%',
        '  product page or subpage          6   33.3%              2   28.6%',
        '  landing: unknown product         2   11.1%              1   14.3%',
        '  fallback                         1    5.6%              1   14.3%',
        '  support                          1    5.6%              1   14.3%',
        '  total                           18  100.0%              7  100.0%',
        '',
      ].join('\n'),
    );
  });

  test('ties in requests are ordered by category; a generator is read once', () => {
    function* gen(): Generator<{ rule: string; hits: number }> {
      yield { rule: 'default:support', hits: 2 };
      yield { rule: 'default:home', hits: 2 };
      yield { rule: 'bulk:a.csv:1', hits: 2 };
    }
    expect(summarise(gen()).rows.map((r) => r.category)).toEqual(['bulk entry', 'landing (home)', 'support']);
  });

  test('nothing read: only the total, with no percentages', () => {
    expect(renderSummary(summarise([]), 'empty:')).toBe(
      ['empty:', '  category  requests  %  distinct URLs  %', '  total            0  -              0  -', ''].join('\n'),
    );
  });
});

describe('ruleHits and renderRuleHits', () => {
  const logged = [
    { rule: 'bulk:list.csv:2', hits: 3 },
    { rule: 'bulk:list.csv:2', hits: 4 }, // the same rule for another URL
    { rule: 'fallback:store-home', hits: 7 },
    { rule: 'bulk:list.csv:4 > bulk:list.csv:5', hits: 1 },
    { rule: 'default:home', hits: 10 },
  ];
  const configured = ['bulk:list.csv:1', 'bulk:list.csv:2', 'bulk:list.csv:3', 'bulk:list.csv:4', 'bulk:list.csv:5', 'bulk:list.csv:3'];

  test('every rule seen, most hits first, then by name; configured rules no hop of any decision names', () => {
    expect(ruleHits(logged, configured)).toEqual({
      hits: [
        { rule: 'default:home', hits: 10 },
        { rule: 'bulk:list.csv:2', hits: 7 },
        { rule: 'fallback:store-home', hits: 7 },
        { rule: 'bulk:list.csv:4 > bulk:list.csv:5', hits: 1 },
      ],
      neverHit: ['bulk:list.csv:1', 'bulk:list.csv:3'],
    });
  });

  test('the text: all the hits, the never-hit rules capped with "... and N more"', () => {
    expect(renderRuleHits(ruleHits(logged, configured), 'replay: ')).toBe(
      [
        'replay: hits per rule (4 rules seen):',
        '  10  default:home',
        '   7  bulk:list.csv:2',
        '   7  fallback:store-home',
        '   1  bulk:list.csv:4 > bulk:list.csv:5',
        'replay: rules never hit: 2:',
        '  bulk:list.csv:1',
        '  bulk:list.csv:3',
        '',
      ].join('\n'),
    );
    const many = Array.from({ length: 53 }, (_, i) => `bulk:big.csv:${String(i + 1).padStart(2, '0')}`);
    const text = renderRuleHits(ruleHits([], many));
    expect(text.split('\n').slice(0, 3)).toEqual(['hits per rule (0 rules seen):', 'rules never hit: 53:', '  bulk:big.csv:01']);
    expect(text.split('\n').slice(-4)).toEqual(['  bulk:big.csv:49', '  bulk:big.csv:50', '  ... and 3 more', '']);
    expect(renderRuleHits(ruleHits([{ rule: 'bulk:a.csv:1', hits: 1 }], ['bulk:a.csv:1']))).toBe(
      'hits per rule (1 rule seen):\n  1  bulk:a.csv:1\nrules never hit: 0\n',
    );
  });
});

test('configuredRuleNames: every rule of the rules file, then bulk:<file>:<line> of every bulk entry', () => {
  const config = {
    tables: {
      bulk: { file: 'config/redirects.csv' },
      rules: [{ id: 'rule:landing@config/rules.txt:26' }, { id: 'rule:config/rules.txt:30' }],
    },
    entries: [{ line: 1 }, { line: 2 }, { line: 5 }],
  };
  expect(configuredRuleNames(config as unknown as Parameters<typeof configuredRuleNames>[0])).toEqual([
    'rule:landing@config/rules.txt:26',
    'rule:config/rules.txt:30',
    'bulk:config/redirects.csv:1',
    'bulk:config/redirects.csv:2',
    'bulk:config/redirects.csv:5',
  ]);
});
