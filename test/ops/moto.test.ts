/**
 * The AWS commands end to end against moto_server (an AWS API emulator,
 * installed on every machine of this project), started and stopped here:
 * real HTTP, the SDK's own serialisation and retries. moto 5 answers
 * ListDistributions with summaries that lack Comment and Aliases (GetDistribution
 * has them); a small pass-through proxy copies them into the summaries, as
 * CloudFront's own ListDistributions returns them. Everything else is moto's.
 * aws-sdk-client-mock (test/ops/aws.test.ts) stays for what moto lacks: ACM
 * and Route 53 lookups of preflight, AssociateAlias of cutover, and the end of
 * an invalidation (moto says "COMPLETED", CloudFront "Completed").
 */
import { ChildProcess, spawn } from 'child_process';
import { CloudFrontClient, CreateDistributionCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import * as http from 'http';
import * as net from 'net';
import { main } from '../../lib/cli/poco';
import { defaultContext } from '../../lib/ops/aws';
import { invalidate } from '../../lib/ops/invalidate';
import { loadDeployment } from '../../lib/config/load';
import { distributionComment, stackNameFor } from '../../lib/config/naming';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Copies Comment and Aliases from each distribution's GetDistribution into ListDistributions' summaries. */
async function fillSummaries(motoPort: number, xml: string, authorization: string): Promise<string> {
  const ids = [...xml.matchAll(/<DistributionSummary>\s*<Id>([^<]+)<\/Id>/g)].map((m) => m[1]);
  let out = xml;
  for (const id of ids) {
    // moto routes by the credential scope of the Authorization header (cloudfront), and checks no signature.
    const { body } = await get(motoPort, `/2020-05-31/distribution/${id}`, { authorization });
    const comment = /<Comment>([^<]*)<\/Comment>/.exec(body)?.[1] ?? '';
    const aliases = /<Aliases>[\s\S]*?<\/Aliases>/.exec(body)?.[0] ?? '<Aliases><Quantity>0</Quantity></Aliases>';
    out = out.replace(`<Id>${id}</Id>`, `<Id>${id}</Id><Comment>${comment}</Comment>${aliases}`);
  }
  return out;
}

function proxy(motoPort: number): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const upstream = http.request(
        { host: '127.0.0.1', port: motoPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', async () => {
            let text = Buffer.concat(body).toString('utf8');
            if (req.method === 'GET' && /^\/2020-05-31\/distribution(\?|$)/.test(req.url ?? ''))
              text = await fillSummaries(motoPort, text, String(req.headers.authorization ?? ''));
            const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
            res.writeHead(up.statusCode ?? 500, headers);
            res.end(text);
          });
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
}

let moto: ChildProcess;
let front: http.Server;
const saved = { ...process.env };

beforeAll(async () => {
  const motoPort = await freePort();
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], {
    env: { ...process.env, MOTO_ACCOUNT_ID: '111111111111' },
    stdio: 'ignore',
  });
  for (let i = 0; ; i++) {
    try {
      await get(motoPort, '/moto-api/');
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  front = proxy(motoPort);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(front.address() as net.AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  delete process.env.AWS_PROFILE;
  // The default stage's redirect and frozen sites, as the stack names them.
  const deployment = loadDeployment();
  const cf = new CloudFrontClient({ region: 'us-east-1' });
  for (const site of deployment.sites.sites) {
    await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: site.name,
          Comment: distributionComment(stackNameFor(deployment.stage.name), site.name),
          Enabled: true,
          Aliases: { Quantity: site.hostnames.length, Items: [...site.hostnames] },
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'o',
                DomainName: 'www.mi.com',
                CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'o',
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
          },
        },
      }),
    );
  }
}, 60000);

afterAll(async () => {
  process.env = saved;
  await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
  moto?.kill();
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, out: out.join(''), err: err.join('') };
}

test('status: every site found by its comment, Deployed, aliases as configured', async () => {
  const r = await run(['status']);
  expect(r.err).toBe('');
  const lines = r.out.split('\n');
  const deployment = loadDeployment();
  for (const site of deployment.sites.sites)
    expect(lines.some((l) => new RegExp(`^site ${site.name}: \\w+ .* Deployed`).test(l))).toBe(true);
  expect(r.out).not.toContain('missing:');
  expect(r.out).toMatch(
    new RegExp(
      `status: ${deployment.sites.sites.length} sites, ${deployment.sites.sites.length} distributions found, 0 not deployed or still changing\\n$`,
    ),
  );
  expect(r.code).toBe(0);
}, 60000);

test('invalidate --all --apply: one invalidation of /* per redirect site, created in moto', async () => {
  const lines: string[] = [];
  // moto reports a finished invalidation as "COMPLETED", CloudFront as "Completed", so the
  // wait for it cannot end here: it is cut short (instant polls, a 1 ms limit) and the
  // invalidations moto holds are checked instead.
  const ctx = { ...defaultContext((l) => lines.push(l)), sleep: async () => undefined };
  await invalidate(ctx, loadDeployment(), { all: true, apply: true, timeoutMs: 1 });
  expect(lines.filter((l) => /denied|does not exist|credentials/.test(l))).toEqual([]);
  const cf = new CloudFrontClient({ region: 'us-east-1' });
  const status = await run(['status']);
  const ids = [...status.out.matchAll(/^site (\w+): (\w+) /gm)].filter((m) => m[1] !== 'in').map((m) => m[2]);
  expect(ids).toHaveLength(6);
  for (const id of ids) {
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: id }));
    expect(list.InvalidationList?.Quantity).toBe(1);
  }
}, 60000);
