/**
 * The lists a bench run measures: the default bulk list, the default list
 * under many more rules and products, and generated lists of given sizes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_CATALOG_FILE, DEFAULT_REDIRECTS_FILE, DEFAULT_RULES_FILE, loadRuleset } from '../config/load';
import { measure } from './decisions';
import { fmt } from './format';
import { generateList } from './generate-list';
import type { ListRow } from './stats';

/** Extra rules and catalogue entries of the `rules` list: the default rules file after this many rules of their own. */
export const GENERATED_RULES = 10000;
/** Generated product slugs per store region in the `rules` list's catalogue. */
export const GENERATED_SLUGS_PER_STORE = 5000;

/**
 * A rules file of `GENERATED_RULES` campaign rules (each its own literal
 * first segment) followed by the default rules, and a catalogue of the
 * default one's slugs plus `GENERATED_SLUGS_PER_STORE` per store, written
 * into `dir`: the same requests then meet far more rules and products.
 */
function generatedRuleset(dir: string): { rulesFile: string; catalogFile: string } {
  const rulesFile = path.join(dir, 'rules.txt');
  const catalogFile = path.join(dir, 'catalog.json');
  const campaigns = Array.from({ length: GENERATED_RULES }, (_, i) => `/campaign-${i}/* :store/sale/ 302 Name=campaign`).join('\n');
  fs.writeFileSync(rulesFile, campaigns + '\n' + fs.readFileSync(DEFAULT_RULES_FILE, 'utf8'));
  const catalog = JSON.parse(fs.readFileSync(DEFAULT_CATALOG_FILE, 'utf8')) as { stores: Record<string, string[]> };
  for (const store of Object.keys(catalog.stores)) {
    catalog.stores[store].push(...Array.from({ length: GENERATED_SLUGS_PER_STORE }, (_, i) => `poco-gen-${i}`));
  }
  fs.writeFileSync(catalogFile, JSON.stringify(catalog));
  return { rulesFile, catalogFile };
}

/** The lists a run measures: the default list, the default list under many more rules and products, then a generated list of each size. */
export function listsOf(sizes: readonly number[]): string[] {
  return ['default', 'rules', ...sizes.map(String)];
}

/** Whether `list` names a list: default, rules or a number of lines. */
export function isList(list: string): boolean {
  return list === 'default' || list === 'rules' || (Number.isInteger(Number(list)) && Number(list) >= 1);
}

/** A list as the progress lines name it. */
export function listTitle(list: string): string {
  if (list === 'default') return 'the default list (config/redirects.csv)';
  return list === 'rules' ? `the default list under ${fmt(GENERATED_RULES)} more rules` : `a ${fmt(Number(list))}-line list`;
}

/** The default list under the generated rules and catalogue, which live in a temporary folder while it is measured. */
async function measureManyRules(runs: number): Promise<ListRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-rules-'));
  try {
    const files = generatedRuleset(dir);
    const row = await measure('config/redirects.csv', fs.readFileSync(DEFAULT_REDIRECTS_FILE, 'utf8'), runs, (sites) =>
      loadRuleset(sites, files),
    );
    return { ...row, list: `+${fmt(GENERATED_RULES)} rules, +${fmt(GENERATED_SLUGS_PER_STORE)} slugs/store` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures one list in this process (how `measureIsolated` runs each list). */
export async function measureList(list: string, runs: number): Promise<ListRow> {
  if (list === 'default') return measure('config/redirects.csv', fs.readFileSync(DEFAULT_REDIRECTS_FILE, 'utf8'), runs);
  if (list === 'rules') return measureManyRules(runs);
  const n = Number(list);
  return measure(`generated-${n}.csv`, generateList(n), runs);
}
