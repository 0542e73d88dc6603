/**
 * The layout's rules, checked on the sources: which folder may import which
 * (no arrow from a lower layer to a higher one), one construct a file named
 * after it, and a test file beside each construct.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../lib/config/load';

/** What each folder may import from the project, besides itself. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'lambda/engine': [],
  'lambda/viewer': ['lambda/engine'],
  lambda: ['lambda/engine', 'lambda/viewer'],
  'lib/config': ['lambda/engine', 'lambda/viewer'],
  'lib/edge': ['lambda', 'lambda/engine', 'lambda/viewer', 'lib/config'],
  'lib/rules': ['lambda/engine', 'lib/config', 'lib/edge'],
  'lib/constructs': ['lambda/engine', 'lib/config', 'lib/edge'],
  'lib/stacks': ['lambda/engine', 'lib/config', 'lib/edge', 'lib/constructs'],
  'lib/ops': ['lambda', 'lambda/engine', 'lib/config', 'lib/edge', 'lib/rules'],
  'lib/review': ['lambda/engine', 'lib/config', 'lib/edge', 'lib/rules'],
  'lib/bench': ['lambda', 'lambda/engine', 'lib/config', 'lib/edge', 'lib/rules', 'lib/review'],
  'lib/cli': ['lambda/engine', 'lib/config', 'lib/edge', 'lib/rules', 'lib/ops', 'lib/review', 'lib/bench'],
  bin: ['lib/config', 'lib/edge', 'lib/stacks'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true }).flatMap((e) => {
    if (!e.isFile() || !e.name.endsWith('.ts')) return [];
    return [path.relative(PROJECT_ROOT, path.join(e.parentPath, e.name))];
  });
}

/** The layer of a project file: its folder under lambda/ or lib/ (lib/cli/commands is lib/cli), or bin. */
function layerOf(file: string): string {
  const [top, sub] = file.split(path.sep);
  if (top === 'lambda') return sub === 'engine' || sub === 'viewer' ? `lambda/${sub}` : 'lambda';
  if (top === 'lib') return `lib/${sub}`;
  return top;
}

/** The project files `file` imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']*)'/gms)].map((m) =>
    path.normalize(path.join(path.dirname(file), m[1])),
  );
}

const FILES = ['bin', 'lib', 'lambda'].flatMap(sources);

test('every folder is a known layer', () => {
  expect([...new Set(FILES.map(layerOf))].filter((l) => !(l in MAY_IMPORT))).toEqual([]);
});

test('no import runs from a lower layer to a higher one', () => {
  const wrong = FILES.flatMap((file) =>
    importsOf(file)
      .map(layerOf)
      .filter((to) => to !== layerOf(file) && !MAY_IMPORT[layerOf(file)].includes(to))
      .map((to) => `${file} imports ${to}`),
  );
  expect(wrong).toEqual([]);
});

test('the engine imports nothing, not even Node.js modules', () => {
  const engine = FILES.filter((f) => layerOf(f) === 'lambda/engine');
  const outside = engine.flatMap((file) => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    return [...text.matchAll(/from '([^.][^']*)'/g)].map((m) => `${file} imports ${m[1]}`);
  });
  expect(engine.length).toBeGreaterThan(5);
  expect(outside).toEqual([]);
});

test('one construct a file, named after it, each with its own test', () => {
  const pascal = (name: string): string => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  const files = fs.readdirSync(path.join(PROJECT_ROOT, 'lib', 'constructs')).filter((f) => f.endsWith('.ts'));
  const wrong = files.flatMap((f) => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, 'lib', 'constructs', f), 'utf8');
    const classes = [...text.matchAll(/^export class (\w+) extends Construct\b/gm)].map((m) => m[1]);
    const name = pascal(f.replace(/\.ts$/, ''));
    const problems = classes.length === 1 && classes[0] === name ? [] : [`${f} defines ${JSON.stringify(classes)}, not [${name}]`];
    if (!fs.existsSync(path.join(PROJECT_ROOT, 'test', 'constructs', f.replace(/\.ts$/, '.test.ts'))))
      problems.push(`${f} has no test/constructs test`);
    return problems;
  });
  expect(files.length).toBeGreaterThan(10);
  expect(wrong).toEqual([]);
});
