/** Where JSON text first goes wrong (lib/config/json-position.ts). */
import { jsonErrorOffset, scanJson } from '../../lib/config/json-position';

test('jsonErrorOffset agrees with JSON.parse on validity', () => {
  for (const text of ['{}', '[1,2,{"a":[true,false,null,-1.5e3,"\\u00e9"]}]', ' "x" ']) expect(jsonErrorOffset(text)).toBe(-1);
  expect(jsonErrorOffset('{"a":1,}')).toBe(7);
  expect(jsonErrorOffset('[1 2]')).toBe(3);
  expect(jsonErrorOffset('{"a":tru}')).toBe(5);
});

test('jsonErrorOffset scans any depth: the offset of an error after 100,000 levels, not a stack overflow', () => {
  expect(jsonErrorOffset('['.repeat(100000) + 'x')).toBe(100000);
  expect(jsonErrorOffset('['.repeat(100000) + ']'.repeat(100000))).toBe(-1);
  expect(jsonErrorOffset('{"a":'.repeat(100000) + '1' + '}'.repeat(99999) + ']')).toBe(600000);
});

test('scanJson: the first bracket deeper than the limit, and keys given twice with their object', () => {
  expect(scanJson('[[[1]]]', 2)).toEqual({ error: -1, tooDeep: 2, duplicates: [] });
  expect(scanJson('[[[1]]]', 3)).toEqual({ error: -1, tooDeep: -1, duplicates: [] });
  expect(scanJson('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":3,"\\u0062":4}')).toEqual({
    error: -1,
    tooDeep: -1,
    duplicates: [
      { key: 'd', path: 'b.c[0]', first: 18, offset: 24 },
      { key: 'a', path: '', first: 1, offset: 33 },
      { key: 'b', path: '', first: 7, offset: 39 },
    ],
  });
});
