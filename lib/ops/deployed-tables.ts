/**
 * What the distributions ran before this deploy, read back from Lambda: the
 * function version the distributions run now (their origin-request
 * association), the numbered version before it (ListVersionsByFunction),
 * its package (GetFunction's presigned Code.Location, a zip), and in it the
 * tables index.js embeds (lib/edge/bundle.ts) and bulk.bin beside it. So
 * `invalidate` needs no git ref of the last deploy, and nothing about the
 * deploy has to be written into the templates.
 */
import * as http from 'http';
import * as https from 'https';
import { inflateRawSync } from 'zlib';
import { GetFunctionCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { CompiledTables } from '../../lambda/engine';
import type { LoadedDeployment } from '../config/load';
import { OpsError } from '../config/problems';
import { withoutBulkColumns } from '../config/compile';
import { BULK_FILE, bundleEdgeFunction } from '../edge/bundle';
import { bulkIndexOf } from '../edge/packed-v1';
import type { RuleSet } from '../rules/redirect-changes';
import { call, Inventory, inventory, OpsContext } from './aws';

/** A numbered version's ARN: `arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION`. */
export function parseVersionArn(arn: string): { name: string; version: number } | undefined {
  const m = /^arn:[^:]+:lambda:[^:]+:\d{12}:function:([^:]+):(\d+)$/.exec(arn);
  return m ? { name: m[1], version: Number(m[2]) } : undefined;
}

/** The highest numbered version below `current` (`$LATEST` and unnumbered ones ignored); undefined when there is none. */
export function previousVersion(versions: readonly string[], current: number): number | undefined {
  const below = versions
    .filter((v) => /^\d+$/.test(v))
    .map(Number)
    .filter((v) => v < current);
  return below.length ? Math.max(...below) : undefined;
}

/**
 * The files of a zip archive, by name: read from its central directory,
 * stored or deflated entries (what Lambda and the CDK write). No zip64, no
 * encryption; anything else is an Error saying what.
 */
export function readZip(zip: Uint8Array): Map<string, Buffer> {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new Error('zip64 archives are not read');
  if (cdOffset + cdSize > eocd) throw new Error('the central directory is outside the archive');
  const files = new Map<string, Buffer>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`central directory entry ${n + 1} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new Error(`${name} is encrypted`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`the local header of ${name} is damaged`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw new Error(`${name} runs past the end of the archive`);
    const data = buf.subarray(start, start + compressed);
    let out: Buffer;
    if (method === 0) out = Buffer.from(data);
    else if (method === 8) {
      try {
        out = inflateRawSync(data);
      } catch (err) {
        throw new Error(`${name} does not inflate: ${(err as Error).message}`);
      }
    } else throw new Error(`${name} uses compression method ${method}; only stored and deflate are read`);
    if (out.length !== size) throw new Error(`${name} is ${out.length} bytes, its header says ${size}`);
    files.set(name, out);
  }
  return files;
}

/**
 * The tables literal of an index.js: `JSON.parse('...')` as lib/edge/bundle.ts
 * writes it (the tables' JSON, `\` and `'` escaped with a backslash), undone;
 * and the code without it (the engine), to tell whether the engine changed.
 */
export function tablesOfCode(code: string): { tables: CompiledTables; engine: string } {
  const opener = "JSON.parse('";
  for (let at = code.indexOf(opener); at >= 0; at = code.indexOf(opener, at + 1)) {
    const start = at + opener.length - 1;
    let json = '';
    let end = -1;
    for (let i = start + 1; i < code.length; i++) {
      const c = code[i];
      if (c === '\\') json += code[++i] ?? '';
      else if (c === "'") {
        end = i + 1;
        break;
      } else json += c;
    }
    if (end < 0 || code[end] !== ')') continue;
    let tables: unknown;
    try {
      tables = JSON.parse(json);
    } catch {
      continue;
    }
    const t = tables as Partial<CompiledTables> | null;
    if (t && typeof t === 'object' && 'format' in t && Array.isArray(t.sites) && t.bulk) {
      return { tables: t as CompiledTables, engine: code.slice(0, start) + code.slice(end) };
    }
  }
  throw new Error("index.js holds no JSON.parse('...') of compiled tables");
}

/** The rules of a function package's files (index.js and bulk.bin), as the function runs them. */
export function ruleSetOfPackage(files: ReadonlyMap<string, Buffer>): RuleSet & { engine: string } {
  const index = files.get('index.js');
  if (!index) throw new Error('the package has no index.js');
  const { tables, engine } = tablesOfCode(index.toString('utf8'));
  const packed = files.get(BULK_FILE);
  if (!packed) throw new Error(`the package has no ${BULK_FILE}`);
  return { tables: withoutBulkColumns(tables), bulk: bulkIndexOf(packed), code: engine, engine };
}

/** The body of an http(s) URL (Code.Location is a presigned S3 URL). */
export function download(url: string, timeoutMs = 120000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : url.startsWith('http:') ? http.get : undefined;
    if (!get) return reject(new Error(`cannot download ${url.split('?')[0]}: not an http(s) URL`));
    const req = get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`downloading the package answered HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`downloading the package took over ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

export interface DeployedBaseline {
  /** The previous version's rules; undefined when its engine's code differs from this checkout's (only /* is safe then). */
  readonly rules?: RuleSet;
  readonly name: string;
  readonly version: number;
  readonly current: number;
}

const FIX = 'Fix: give --since REF (the git ref deployed before) or --all.';

/** The function version this stage's redirect distributions run now (they must agree). */
async function currentVersion(
  ctx: OpsContext,
  deployment: LoadedDeployment,
  known?: Inventory,
): Promise<{ name: string; version: number }> {
  const inv = known ?? (await inventory(ctx, deployment));
  const arns = new Set<string>();
  for (const site of deployment.sites.sites.filter((s) => s.mode !== 'frozen')) {
    const arn = inv.ours.get(site.name)?.DefaultCacheBehavior?.LambdaFunctionAssociations?.Items?.[0]?.LambdaFunctionARN;
    if (arn) arns.add(arn);
  }
  if (arns.size === 0) throw new OpsError(`no distribution of stage ${deployment.stage.name} runs the redirect function. ${FIX}`);
  if (arns.size > 1)
    throw new OpsError(
      `the distributions run different function versions (${[...arns].sort().join(', ')}): a deploy is unfinished. Wait for it, or ${FIX.slice(5)}`,
    );
  const arn = [...arns][0];
  const parsed = parseVersionArn(arn);
  if (!parsed) throw new OpsError(`the distributions run ${arn}, which is not a numbered function version. ${FIX}`);
  return parsed;
}

/**
 * The rules of the function version the distributions ran before this
 * deploy: the numbered version before the one they run now. Any step that
 * fails is an OpsError that says to give --since REF or --all. The engine's
 * code is compared with this checkout's bundle of `deployment`: where it
 * differs, `rules` is undefined (answers may change where no rule did).
 * `inv`: the stage's distributions, when already listed.
 */
export async function deployedBaseline(ctx: OpsContext, deployment: LoadedDeployment, inv?: Inventory): Promise<DeployedBaseline> {
  const lambda = ctx.clients.lambda;
  if (!lambda) throw new OpsError(`no Lambda client to read the deployed function with. ${FIX}`);
  const { name, version: current } = await currentVersion(ctx, deployment, inv);
  const fail = (what: string, err: unknown): OpsError => {
    const detail = err instanceof Error ? `: ${err.message}` : '';
    // An AWS failure already says its own fix (credentials, permissions): this one is the alternative.
    const fix = detail.includes('Fix:') ? `Or ${FIX.slice(5)}` : FIX;
    return new OpsError(`cannot read what the distributions ran before (${name} before version ${current}): ${what}${detail} ${fix}`);
  };
  const versions: string[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await call(ctx, 'lambda:ListVersionsByFunction', () =>
        lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, Marker: marker, MaxItems: 50 })),
      );
      versions.push(...(page.Versions ?? []).map((v) => v.Version ?? ''));
      marker = page.NextMarker;
    } while (marker);
  } catch (err) {
    throw fail('listing its versions failed', err);
  }
  const version = previousVersion(versions, current);
  if (version === undefined)
    throw new OpsError(
      `${name} version ${current} is the function's first version: there is nothing deployed before it to compare with. ${FIX}`,
    );
  let rules: RuleSet & { engine: string };
  try {
    const got = await call(ctx, 'lambda:GetFunction', () =>
      lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: String(version) })),
    );
    const location = got.Code?.Location;
    if (!location) throw new Error('GetFunction gave no Code.Location');
    rules = ruleSetOfPackage(readZip(await download(location)));
  } catch (err) {
    throw fail(`the package of version ${version} cannot be read`, err);
  }
  const now = tablesOfCode(bundleEdgeFunction(deployment.tables).code).engine;
  return { rules: rules.engine === now ? rules : undefined, name, version, current };
}
