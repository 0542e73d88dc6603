/** Where JSON text first goes wrong (lib/config/json-position.ts). */
import { jsonErrorOffset } from '../../lib/config/json-position';

test('jsonErrorOffset agrees with JSON.parse on validity', () => {
  for (const text of ['{}', '[1,2,{"a":[true,false,null,-1.5e3,"\\u00e9"]}]', ' "x" ']) expect(jsonErrorOffset(text)).toBe(-1);
  expect(jsonErrorOffset('{"a":1,}')).toBe(7);
  expect(jsonErrorOffset('[1 2]')).toBe(3);
  expect(jsonErrorOffset('{"a":tru}')).toBe(5);
});
