/** Synth time of the app beside a minimal CDK app with one distribution, both through the pinned CLI, alternating. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../config/load';
import { synthesize } from '../review/assembly';
import { median } from './stats';

/** A CDK app with one distribution and nothing else, in TypeScript run by tsx as the project's app is. */
const MINIMAL_APP = `import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
const app = new App();
const stack = new Stack(app, 'Minimal', { env: { account: '111111111111', region: 'us-east-1' } });
new cloudfront.Distribution(stack, 'Distribution', { defaultBehavior: { origin: new origins.HttpOrigin('www.mi.com') } });
`;

/** Seconds of one `cdk synth --quiet` in `cwd`, through the pinned CLI as `npm run diff` runs it. */
function synthSeconds(cwd: string, outdir: string): number {
  const t = process.hrtime.bigint();
  synthesize(cwd, outdir, [], `the app in ${cwd}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export interface SynthResult {
  appSeconds: number[];
  minimalSeconds: number[];
  appMedian: number;
  minimalMedian: number;
  ratio: number;
}

/** The minimal app as a CDK project in `dir`, with this checkout's node_modules. */
function writeMinimalApp(dir: string): void {
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'app.ts'), MINIMAL_APP);
  fs.writeFileSync(
    path.join(dir, 'cdk.json'),
    JSON.stringify({ app: 'npx tsx app.ts', notices: false, context: { 'cli-telemetry': false } }),
  );
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/** Synth of the app and of the minimal app, `runs` times each, alternating so that machine noise hits both alike. */
export function measureSynth(runs: number): SynthResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-synth-'));
  try {
    const minimal = path.join(dir, 'minimal');
    writeMinimalApp(minimal);
    const appSeconds: number[] = [];
    const minimalSeconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      appSeconds.push(synthSeconds(PROJECT_ROOT, path.join(dir, `app-${i}`)));
      minimalSeconds.push(synthSeconds(minimal, path.join(dir, `minimal-${i}`)));
    }
    const appMedian = median(appSeconds);
    const minimalMedian = median(minimalSeconds);
    return { appSeconds, minimalSeconds, appMedian, minimalMedian, ratio: appMedian / minimalMedian };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
