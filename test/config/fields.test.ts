/**
 * Checks shared by the JSON config files (lib/config/fields.ts): a JSON
 * syntax error is reported at its line and column.
 */
import { loadError } from '../support/load-error';

describe('JSON syntax', () => {
  test('a JSON syntax error names its line and column', () => {
    expect(loadError('{\n  "sites": {},\n  "regions": {\n}', '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json:4: is not valid JSON: unexpected end of file at column 2. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    ]);
    expect(loadError('{\n  "a": 1,\n  "b": \n}\n', '')[1]).toBe(
      '  sites.json:4: is not valid JSON: unexpected "}" at column 1. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    );
  });

});
