/**
 * `invalidate` without --since: the baseline is the function version the
 * distributions ran before this deploy, read back from Lambda (mocked) and
 * its package downloaded from a local HTTP server. Also the pure parts:
 * the zip reader and the tables literal of index.js.
 */
import { CloudFrontClient, DistributionSummary, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { GetFunctionCommand, LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ACMClient } from '@aws-sdk/client-acm';
import { Route53Client } from '@aws-sdk/client-route-53';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import { main } from '../../lib/cli/poco';
import { LoadedDeployment, loadDeployment, PROJECT_ROOT } from '../../lib/config/load';
import { OpsError } from '../../lib/config/problems';
import { withoutBulkColumns } from '../../lib/config/compile';
import { BULK_FILE, bundleEdgeFunction } from '../../lib/edge/bundle';
import { OpsContext } from '../../lib/ops/aws';
import { parseVersionArn, previousVersion, readZip, ruleSetOfPackage, tablesOfCode } from '../../lib/ops/deployed-tables';
import { baselineDeployed, invalidate } from '../../lib/ops/invalidate';
import { configFiles } from '../support/deployment';

const cf = mockClient(CloudFrontClient);
const lambda = mockClient(LambdaClient);

const ACCOUNT = '111111111111';
const NAME = 'PocoSunset-default-redirects';
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${NAME}`;

/** A zip of `files`, each deflated (or stored with `stored`), with a central directory; CRCs left 0 (the reader does not check them). */
function zipOf(files: Record<string, Uint8Array>, stored = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = stored ? Buffer.from(content) : deflateRawSync(content);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function dist(site: string, version: number): DistributionSummary {
  const id = `E1${site.toUpperCase()}`;
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`,
    Status: 'Deployed',
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Comment: `po.co sunset: PocoSunset-default site ${site}`,
    Enabled: true,
    Aliases: { Quantity: 0, Items: [] },
    DefaultCacheBehavior: {
      LambdaFunctionAssociations:
        site === 'in'
          ? { Quantity: 0, Items: [] }
          : { Quantity: 1, Items: [{ LambdaFunctionARN: `${FN}:${version}`, EventType: 'origin-request' }] },
    },
  } as unknown as DistributionSummary;
}

/** The config before: the shipped list with line 2's target changed. */
function beforeDeployment(): LoadedDeployment {
  const shipped = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8').split('\n');
  shipped[1] = 'po.co/uk/offers,https://www.mi.com/uk/deals/,302,TRUE';
  return loadDeployment(configFiles({ redirects: shipped.join('\n') }));
}

let server: http.Server;
let base: string;
/** What the server answers at /package.zip. */
let served: Buffer;
let lines: string[];
let ctx: OpsContext;
let before: LoadedDeployment;
let after: LoadedDeployment;
let goodZip: Buffer;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/package.zip')) {
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.end(served);
    } else {
      res.writeHead(403);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  before = beforeDeployment();
  after = loadDeployment(configFiles({}));
  const bundle = bundleEdgeFunction(before.tables);
  goodZip = zipOf({ 'index.js': Buffer.from(bundle.code), [BULK_FILE]: bundle.bulk });
}, 60000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  cf.reset();
  lambda.reset();
  served = goodZip;
  lines = [];
  cf.on(ListDistributionsCommand).resolves({
    DistributionList: {
      Items: ['global', 'uk', 'fr', 'de', 'community', 'other', 'in'].map((s) => dist(s, 8)),
      IsTruncated: false,
    } as never,
  });
  lambda.on(ListVersionsByFunctionCommand).resolves({
    Versions: [{ Version: '$LATEST' }, { Version: '5' }, { Version: '7' }, { Version: '8' }],
  });
  lambda.on(GetFunctionCommand).resolves({ Code: { Location: `${base}/package.zip?X-Amz-Signature=abc` } });
  ctx = {
    clients: {
      cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
      acm: new ACMClient({ region: 'us-east-1' }),
      route53: new Route53Client({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
    },
    log: (l) => lines.push(l),
    sleep: async () => undefined,
    now: () => 0,
    resolveTxt: async () => [],
    maxAttempts: 2,
    baseDelayMs: 1,
  };
});

describe('pure parts', () => {
  test('parseVersionArn and previousVersion', () => {
    expect(parseVersionArn(`${FN}:12`)).toEqual({ name: NAME, version: 12 });
    expect(parseVersionArn(FN)).toBeUndefined();
    expect(parseVersionArn(`${FN}:$LATEST`)).toBeUndefined();
    expect(previousVersion(['$LATEST', '1', '3', '10', '12'], 12)).toBe(10);
    expect(previousVersion(['$LATEST', '2', '10'], 10)).toBe(2);
    expect(previousVersion(['$LATEST', '1'], 1)).toBeUndefined();
  });

  test('readZip reads stored and deflated entries, and refuses what is not a zip', () => {
    const files = { 'a.txt': Buffer.from('hello'), 'dir/b.bin': Buffer.from([0, 1, 2, 255]) };
    for (const stored of [false, true]) {
      const read = readZip(zipOf(files, stored));
      expect([...read.keys()]).toEqual(['a.txt', 'dir/b.bin']);
      expect(read.get('a.txt')!.toString()).toBe('hello');
      expect([...read.get('dir/b.bin')!]).toEqual([0, 1, 2, 255]);
    }
    expect(() => readZip(Buffer.from('not a zip at all, just some text bytes'))).toThrow('not a zip archive');
    const damaged = zipOf(files);
    damaged.writeUInt32LE(0x12345678, 0);
    expect(() => readZip(damaged)).toThrow('the local header of a.txt is damaged');
  });

  test('tablesOfCode inverts the literal bundle.ts writes, quotes and backslashes included', () => {
    const tables = withoutBulkColumns(before.tables);
    const bundle = bundleEdgeFunction(before.tables);
    const got = tablesOfCode(bundle.code);
    expect(got.tables).toEqual(JSON.parse(JSON.stringify(tables)));
    expect(got.engine).not.toContain('"format"');
    // A tricky value survives the round trip.
    const tricky = { ...tables, bulk: { ...tables.bulk, file: "it's a \\ path \\' here" } };
    const code = `x=JSON.parse('other');y=JSON.parse('${JSON.stringify(tricky).replace(/[\\']/g, (c) => '\\' + c)}');`;
    expect(tablesOfCode(code).tables.bulk.file).toBe("it's a \\ path \\' here");
    expect(() => tablesOfCode('module.exports={}')).toThrow("no JSON.parse('...') of compiled tables");
  });

  test('ruleSetOfPackage: the tables and the bulk index of the package', () => {
    const rules = ruleSetOfPackage(readZip(goodZip));
    expect(rules.bulk.size).toBe(before.tables.bulk.keys.length);
    expect(() => ruleSetOfPackage(new Map([['index.js', Buffer.from(bundleEdgeFunction(before.tables).code)]]))).toThrow(
      `the package has no ${BULK_FILE}`,
    );
  });
});

describe('invalidate without --since', () => {
  test('finds the same changed paths as --since would for the same change, from the version before', async () => {
    await invalidate(ctx, after, { baseline: before, all: false, apply: false });
    const sinceLines = lines;
    lines = [];
    const previous = await baselineDeployed(ctx, after);
    expect(previous).toBeDefined();
    await invalidate(ctx, after, { previous, all: false, apply: false });
    expect(lines[0]).toBe(`invalidate: comparing with what the distributions ran before: ${NAME} version 7 (they run version 8 now)`);
    expect(lines.slice(1)).toEqual(sinceLines);
    expect(sinceLines).toContain('  site global: /uk/offers*');
    expect(lambda.commandCalls(GetFunctionCommand)[0].args[0].input).toEqual({ FunctionName: NAME, Qualifier: '7' });
  });

  test('no previous version: says so, and to give --since REF or --all', async () => {
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }, { Version: '8' }] });
    const err = await baselineDeployed(ctx, after).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect((err as Error).message).toBe(
      `${NAME} version 8 is the function's first version: there is nothing deployed before it to compare with. Fix: give --since REF (the git ref deployed before) or --all.`,
    );
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(0);
  });

  test('a corrupt package is an OpsError with the fix', async () => {
    served = Buffer.from(goodZip);
    served.fill(0, 0, 200);
    const err = await baselineDeployed(ctx, after).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^cannot read what the distributions ran before \\(${NAME} before version 8\\): the package of version 7 cannot be read: .*damaged.* Fix: give --since REF \\(the git ref deployed before\\) or --all\\.$`,
      ),
    );
  });

  test('a download that fails is an OpsError with the fix', async () => {
    lambda.on(GetFunctionCommand).resolves({ Code: { Location: `${base}/elsewhere` } });
    await expect(baselineDeployed(ctx, after)).rejects.toThrow(
      /the package of version 7 cannot be read: downloading the package answered HTTP 403 Fix: give --since REF/,
    );
  });

  test('a denied Lambda call says its fix, and the alternative', async () => {
    lambda
      .on(ListVersionsByFunctionCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    await expect(baselineDeployed(ctx, after)).rejects.toThrow(
      `cannot read what the distributions ran before (${NAME} before version 8): listing its versions failed: lambda:ListVersionsByFunction was denied (not allowed). Fix: use a role that allows lambda:ListVersionsByFunction in the stage's account. Or give --since REF (the git ref deployed before) or --all.`,
    );
  });

  test('distributions on different versions: a deploy is unfinished', async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: { Items: [dist('global', 8), dist('uk', 7)], IsTruncated: false } as never,
    });
    await expect(baselineDeployed(ctx, after)).rejects.toThrow('a deploy is unfinished. Wait for it, or give --since REF');
  });

  test('an engine whose code differs from this checkout: /* everywhere', async () => {
    const bundle = bundleEdgeFunction(before.tables);
    served = zipOf({ 'index.js': Buffer.from('/*old engine*/' + bundle.code), [BULK_FILE]: bundle.bulk });
    const previous = await baselineDeployed(ctx, after);
    expect(previous).toBeUndefined();
    expect(lines[1]).toBe(
      "invalidate: the engine's code differs between version 7 and this checkout: answers may change where no rule did, so /* everywhere",
    );
  });

  test('the command: no --since and no --all compares with the version before; a failure exits 1 with the fix', async () => {
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(args, {
        stdin: process.stdin,
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
      });
      return { code, out: out.join(''), err: err.join('') };
    };
    const ok = await run(['invalidate']);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n')[0]).toBe(
      `invalidate: comparing with what the distributions ran before: ${NAME} version 7 (they run version 8 now)`,
    );
    expect(ok.out).toContain('  site global: /uk/offers*');
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '8' }] });
    const none = await run(['invalidate']);
    expect([none.code, none.err.split('\n')[0]]).toEqual([
      1,
      `ops invalidate: ${NAME} version 8 is the function's first version: there is nothing deployed before it to compare with. Fix: give --since REF (the git ref deployed before) or --all.`,
    ]);
    const both = await run(['invalidate', '--all', '--since', 'HEAD']);
    expect(both.code).toBe(2);
  });
});
