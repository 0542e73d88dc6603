/** bin/app.ts as `cdk synth` runs it: in a child process, from config files and context. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../lib/config/load';
import { DEFAULT_SITES_JSON, DEFAULT_STAGES_JSON, synthDeployment } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CDK = path.join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly outdir: string;
}

/** bin/app.ts alone, as the CLI starts it, for its exact error output. */
function runApp(context: Record<string, string>, root = PROJECT_ROOT): Run {
  const outdir = tmpDir('poco-synth-');
  const r = spawnSync(process.execPath, [TSX, 'bin/app.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  return { status: r.status, stderr: r.stderr, outdir };
}

/** `cdk synth` itself (the pinned CLI, cdk.json and all), offline. */
function cdkSynth(context: Record<string, string>, root = PROJECT_ROOT): Run {
  const outdir = tmpDir('poco-synth-');
  const args = [
    CDK,
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    outdir,
    ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: r.status, stderr: r.stderr, outdir };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** A copy of the project's sources in a fresh folder, sharing node_modules. */
function checkout(): string {
  const root = tmpDir('poco-checkout-');
  for (const entry of ['bin', 'lib', 'lambda', 'config', 'cdk.json', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

/**
 * Every file of a cloud assembly that reaches AWS or names what does:
 * templates, manifests, assets. Not tree.json (the construct tree) nor
 * *.metadata.json: aws-cdk-lib writes the stack trace of each
 * Validations.acknowledge call there, with absolute paths, even when stack
 * traces are turned off; neither is deployed.
 */
function assemblyFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'tree.json' && !e.name.endsWith('.metadata.json')) out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('bin/app.ts', () => {
  test('templates and assets are byte-identical when synthesized from two different folders', () => {
    const [a, b] = [cdkSynth({}, checkout()), cdkSynth({}, checkout())];
    expect([a.status, b.status]).toEqual([0, 0]);
    const [fa, fb] = [assemblyFiles(a.outdir), assemblyFiles(b.outdir)];
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    expect([...fa.keys()].filter((k) => k.endsWith('.template.json')).length).toBe(1 + Object.keys(DEFAULT_SITES_JSON.sites).length);
    for (const [name, bytes] of fa) expect({ name, same: bytes.equals(fb.get(name)!) }).toEqual({ name, same: true });
  });

  test('-c stage=prod synthesizes the prod stack; -c redirects=FILE another list', () => {
    const list = path.join(tmpDir('poco-list-'), 'other.csv');
    fs.writeFileSync(list, 'po.co/a,https://www.mi.com/uk/\npo.co/b,https://www.mi.com/de/\n');
    const r = cdkSynth({ stage: 'prod', redirects: list });
    expect(r.status).toBe(0);
    const template = readJson(path.join(r.outdir, 'PocoSunset-prod.template.json'));
    const fn = Object.values(
      template.Resources as Record<string, { Type: string; Properties: { Description?: string; FunctionName?: string } }>,
    ).find((x) => x.Properties.FunctionName === 'PocoSunset-prod-redirects');
    expect(fn?.Properties.Description).toBe('po.co sunset redirects (origin-request), 2 bulk entries');
    expect(readJson(path.join(r.outdir, 'manifest.json')).artifacts['PocoSunset-prod'].environment).toBe('aws://222222222222/us-east-1');
    // prod in config/stages.json is still to be filled in: synth says so, and still succeeds.
    expect(r.stderr).toContain(
      'stage prod still has placeholders: account 222222222222, hosted zone po.co Z0FILLINPOCOZONEID, hosted zone poco.net Z0FILLINPOCONETZONEID, alarm e-mail poco-sunset-alarms@example.com; fill them in in the stages file before deploying',
    );
  });

  test('a context key one typo from one the app reads stops synth with a did-you-mean, no stack trace, nothing written', () => {
    for (const [context, message] of [
      [{ stag: 'prod' }, '-c stag=prod: unknown context key "stag". Did you mean "stage"?\n'],
      [{ stage: 'prod', redirect: 'x.csv' }, '-c redirect=x.csv: unknown context key "redirect". Did you mean "redirects"?\n'],
      [{ catalogue: 'c.json' }, '-c catalogue=c.json: unknown context key "catalogue". Did you mean "catalog"?\n'],
    ] as [Record<string, string>, string][]) {
      const r = runApp(context);
      expect([r.status, r.stderr]).toEqual([1, message]);
      expect(fs.readdirSync(r.outdir)).toEqual([]);
    }
  });

  test('an unknown stage stops synth with the stages there are, and writes nothing', () => {
    const r = runApp({ stage: 'staging' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'Config is invalid (1 problem); nothing was written.\n  config/stages.json: stages: there is no stage "staging". Fix: choose one of default or prod (--stage NAME for the tools, -c stage=NAME for cdk), or add it to config/stages.json.\n',
    );
    expect(fs.readdirSync(r.outdir)).toEqual([]);
  });

  test('cdk synth fails on bad config, showing the problems first', () => {
    const r = cdkSynth({ stage: 'staging' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'Config is invalid (1 problem); nothing was written.\n  config/stages.json: stages: there is no stage "staging". Fix: choose one of default or prod (--stage NAME for the tools, -c stage=NAME for cdk), or add it to config/stages.json.\n',
    );
  });

  test('the templates the tests assert on are the ones cdk synth writes', () => {
    const r = cdkSynth({});
    expect(r.stderr).not.toContain('placeholders'); // the default stage is placeholders on purpose
    const inProcess = synthDeployment({ contentDirs: new Map() });
    expect(readJson(path.join(r.outdir, 'PocoSunset-default.template.json'))).toEqual(inProcess.parent.toJSON());
    for (const [name, nested] of inProcess.stack.siteStacks) {
      const file = path.join(r.outdir, nested.templateFile);
      expect({ name, template: readJson(file) }).toEqual({ name, template: inProcess.sites.get(name)!.toJSON() });
    }
  });

  test('a bad list stops synth with the problems and no stack trace', () => {
    const list = path.join(tmpDir('poco-list-'), 'bad.csv');
    fs.writeFileSync(list, 'po.co/a,https://evil.com/\n');
    const r = runApp({ redirects: list });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `Config is invalid (1 problem); nothing was written.\n  ${list}:1: TARGET_URL host "evil.com" is not on the allow-list. Fix: point it at www.mi.com, www.mi.co.id, new.c.mi.com or in.po.co, or add the host to allowedTargetHosts in config/sites.json.\n`,
    );
    expect(fs.readdirSync(r.outdir)).toEqual([]);
  });

  test('100 sites in several hosted zones synthesize with no change to code', () => {
    const dir = tmpDir('poco-100-');
    const sites = structuredClone(DEFAULT_SITES_JSON);
    const stages = structuredClone(DEFAULT_STAGES_JSON);
    const zones: Record<string, string> = { ...DEFAULT_STAGES_JSON.stages.default.hostedZones };
    const generated = 100 - Object.keys(sites.sites).length;
    for (let i = 0; i < generated; i++) {
      const zone = `poco-${i % 10}.example`;
      zones[zone] = `Z0ZONE${i % 10}`;
      sites.sites[`s${String(i).padStart(3, '0')}`] = {
        mode: 'region-host',
        region: ['uk', 'fr', 'de', 'es', 'it'][i % 5],
        hostnames: [`s${i}.${zone}`, `www.s${i}.${zone}`],
      };
    }
    for (const stage of Object.values(stages.stages) as { hostedZones: Record<string, string> }[]) stage.hostedZones = zones;
    const r = cdkSynth({ sites: writeJson(dir, 'sites.json', sites), stages: writeJson(dir, 'stages.json', stages) });
    expect(r.status).toBe(0);
    const parent = readJson(path.join(r.outdir, 'PocoSunset-default.template.json'));
    const nested = fs.readdirSync(r.outdir).filter((f) => f.endsWith('.nested.template.json'));
    expect(nested).toHaveLength(100);
    const counts = [parent, ...nested.map((f) => readJson(path.join(r.outdir, f)))].map((t) => Object.keys(t.Resources).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(500);
    const distributions = nested.flatMap((f) =>
      Object.values(readJson(path.join(r.outdir, f)).Resources as Record<string, { Type: string }>).filter(
        (x) => x.Type === 'AWS::CloudFront::Distribution',
      ),
    );
    expect(distributions).toHaveLength(100);
  });
});
