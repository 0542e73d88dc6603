/**
 * What the AWS-facing commands share: clients, one call wrapper (retries
 * with backoff on throttling and transient faults, clear messages for
 * missing credentials, denied permissions and unknown distributions),
 * finding this project's distributions, and waiting with progress.
 */
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  CloudFrontClient,
  DistributionSummary,
  GetDistributionCommand,
  GetDistributionCommandOutput,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import * as dns from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LoadedDeployment } from '../config/load';
import { parseDistributionComment, stackNameFor } from '../config/naming';
import { OpsError } from '../config/problems';
import { EDGE_FUNCTION_REGION } from '../edge/limits';

export interface AwsClients {
  readonly cloudfront: CloudFrontClient;
  readonly acm: ACMClient;
  /** Read only: preflight lists the records the stack would create. */
  readonly route53: Route53Client;
  /** Read only: invalidate reads the function version the distributions ran before (lib/ops/deployed-tables.ts). Optional so contexts built without it still type-check. */
  readonly lambda?: LambdaClient;
}

export interface OpsContext {
  readonly clients: AwsClients;
  /** Progress and results, a line at a time. */
  readonly log: (line: string) => void;
  /** Waits; tests pass one that returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds since some origin; for elapsed times. */
  readonly now: () => number;
  /** TXT records of a DNS name (cutover checks the ownership record). */
  readonly resolveTxt: (name: string) => Promise<string[][]>;
  /** Attempts per call when throttled or on a transient fault. */
  readonly maxAttempts: number;
  /** First backoff; doubled each attempt, with jitter, up to 20 s. */
  readonly baseDelayMs: number;
}

/**
 * Clients for the real account. CloudFront's API and the certificates it
 * uses are in us-east-1. The SDK's own retries are off: `call` retries, and
 * says so, so that throttling is visible and bounded.
 */
export function defaultContext(log: (line: string) => void): OpsContext {
  const config = { region: EDGE_FUNCTION_REGION, maxAttempts: 1 };
  return {
    clients: {
      cloudfront: new CloudFrontClient(config),
      acm: new ACMClient(config),
      route53: new Route53Client(config),
      lambda: new LambdaClient(config),
    },
    log,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    resolveTxt: (name) => dns.promises.resolveTxt(name),
    maxAttempts: 6,
    baseDelayMs: 500,
  };
}

interface AwsError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const TRANSIENT = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
]);

function classify(err: AwsError): 'throttled' | 'transient' | 'credentials' | 'expired' | 'denied' | 'no-distribution' | 'other' {
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429 || err.$retryable?.throttling) return 'throttled';
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message ?? '')) return 'credentials';
  if (
    name === 'ExpiredToken' ||
    name === 'ExpiredTokenException' ||
    name === 'InvalidClientTokenId' ||
    name === 'UnrecognizedClientException'
  )
    return 'expired';
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || status === 403) return 'denied';
  if (name === 'NoSuchDistribution' || name === 'NoSuchHostedZone') return 'no-distribution';
  if (TRANSIENT.has(name) || TRANSIENT.has(err.code ?? '') || (status !== undefined && status >= 500)) return 'transient';
  return 'other';
}

/**
 * Runs one AWS call. Throttling and transient faults are retried with
 * exponential backoff and jitter, each retry announced; other failures
 * become an `OpsError` that says what to do.
 * @param action the IAM action, as the message names it: `cloudfront:ListDistributions`
 * @param subject what the call is about, for the unknown-distribution message
 */
export async function call<T>(ctx: OpsContext, action: string, fn: () => Promise<T>, subject?: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const err = (raw ?? {}) as AwsError;
      const kind = classify(err);
      if ((kind === 'throttled' || kind === 'transient') && attempt < ctx.maxAttempts) {
        const delay = Math.min(20000, ctx.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        ctx.log(
          `  ${action}: ${kind === 'throttled' ? 'throttled' : `${err.name ?? err.code ?? 'transient fault'}`}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${ctx.maxAttempts})`,
        );
        await ctx.sleep(delay);
        continue;
      }
      throw explain(err, kind, action, attempt, subject);
    }
  }
}

/** The profile names a shared AWS config or credentials file defines (`[profile name]`, `[name]`). */
export function profilesIn(text: string): string[] {
  return [...text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)].map((m) => m[1]);
}

/**
 * When AWS_PROFILE names a profile that neither the shared config file nor the
 * credentials file defines, the message that says so (the SDK only says it
 * could not load credentials); otherwise undefined.
 */
export function missingProfile(env: NodeJS.ProcessEnv, read: (file: string) => string | undefined = readIfPresent): string | undefined {
  const profile = env.AWS_PROFILE;
  if (!profile) return undefined;
  const home = env.HOME ?? os.homedir();
  const files = [
    env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
  ];
  const known = files.flatMap((f) => profilesIn(read(f) ?? ''));
  if (known.includes(profile)) return undefined;
  const choose = known.length
    ? `one of the profiles there (${[...new Set(known)].join(', ')})`
    : 'a profile you create with "aws configure --profile NAME" or "aws configure sso"';
  return `AWS_PROFILE is ${JSON.stringify(profile)}, but no profile of that name is in ${files.join(' or ')}. Fix: set AWS_PROFILE to ${choose}.`;
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function explain(err: AwsError, kind: ReturnType<typeof classify>, action: string, attempts: number, subject: string | undefined): Error {
  const detail = err.message ? ` (${err.message})` : '';
  switch (kind) {
    case 'credentials':
      return new OpsError(
        missingProfile(process.env) ??
          `no AWS credentials were found${detail}. Fix: set AWS_PROFILE to a profile for the stage's account (after "aws sso login" if it uses SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      );
    case 'expired':
      return new OpsError(
        `the AWS credentials were refused as expired or invalid${detail}. Fix: renew them ("aws sso login", or new keys) and run again.`,
      );
    case 'denied':
      return new OpsError(`${action} was denied${detail}. Fix: use a role that allows ${action} in the stage's account.`);
    case 'no-distribution':
      return err.name === 'NoSuchHostedZone'
        ? new OpsError(
            `hosted zone ${subject ?? ''} does not exist in this account${detail}. Fix: copy the zone's id from Route 53 into the stage's hostedZones, and check that AWS_PROFILE is the stage's account.`,
          )
        : new OpsError(
            `distribution ${subject ?? ''} does not exist in this account${detail}. Fix: check the id with "npm run ops -- status", and that AWS_PROFILE is the stage's account.`,
          );
    case 'throttled':
    case 'transient':
      return new OpsError(
        `${action} still failed after ${attempts} attempts (${kind === 'throttled' ? 'throttled' : (err.name ?? err.code ?? 'transient fault')})${detail}. Fix: wait a few minutes and run again; nothing after this call was done.`,
      );
    default:
      return new OpsError(`${action} failed: ${err.name ?? 'error'}${detail}.`);
  }
}

/** Every distribution of the account (ListDistributions, all pages). */
export async function listDistributions(ctx: OpsContext): Promise<DistributionSummary[]> {
  const out: DistributionSummary[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'cloudfront:ListDistributions', () =>
      ctx.clients.cloudfront.send(new ListDistributionsCommand({ Marker: marker, MaxItems: 100 })),
    );
    out.push(...(page.DistributionList?.Items ?? []));
    marker = page.DistributionList?.IsTruncated ? page.DistributionList.NextMarker : undefined;
  } while (marker);
  return out;
}

/** The account id in a CloudFront ARN (`arn:aws:cloudfront::123456789012:distribution/E...`). */
export function accountOf(arn: string | undefined): string | undefined {
  return /^arn:[^:]+:cloudfront::(\d{12}):/.exec(arn ?? '')?.[1];
}

export interface Inventory {
  readonly all: readonly DistributionSummary[];
  /** This stage's distributions, by site name. */
  readonly ours: ReadonlyMap<string, DistributionSummary>;
  readonly stack: string;
}

/**
 * Lists the account's distributions and picks this stage's by their comment
 * (lib/config/naming.ts). Refuses to go on when the credentials are for another
 * account than the stage's, since every answer would be about the wrong one.
 */
export async function inventory(ctx: OpsContext, deployment: LoadedDeployment): Promise<Inventory> {
  const all = await listDistributions(ctx);
  const stack = stackNameFor(deployment.stage.name);
  const accounts = new Set(all.map((d) => accountOf(d.ARN)).filter((a): a is string => a !== undefined));
  if (accounts.size > 0 && !accounts.has(deployment.stage.account)) {
    throw new OpsError(
      `the credentials are for account ${[...accounts].join(', ')}, but stage ${deployment.stage.name} deploys to ${deployment.stage.account}. Fix: set AWS_PROFILE to a profile for ${deployment.stage.account}, or choose the stage with --stage.`,
    );
  }
  const ours = new Map<string, DistributionSummary>();
  for (const d of all) {
    const named = parseDistributionComment(d.Comment);
    if (named?.stack === stack) ours.set(named.site, d);
  }
  return { all, ours, stack };
}

export function aliasesOf(d: DistributionSummary | undefined): string[] {
  return d?.Aliases?.Items ?? [];
}

/** Whether a certificate or alias name (possibly `*.zone`) covers a hostname. */
export function nameCovers(name: string, hostname: string): boolean {
  const n = name.toLowerCase();
  if (n.startsWith('*.')) {
    const rest = n.slice(2);
    const dot = hostname.indexOf('.');
    return dot > 0 && hostname.slice(dot + 1) === rest;
  }
  return n === hostname;
}

export interface CertificateCoverage {
  readonly arn: string;
  readonly status: string;
  readonly covers: boolean;
}

/** Certificates read so far, by ARN: their names and status. */
export type CertificateCache = Map<string, Promise<{ names: string[]; status: string }>>;

/** Whether the certificate of a distribution lists a hostname (DescribeCertificate), memoised per ARN. */
export async function certificateCovers(
  ctx: OpsContext,
  d: DistributionSummary,
  hostname: string,
  cache: CertificateCache,
): Promise<CertificateCoverage | undefined> {
  const arn = d.ViewerCertificate?.ACMCertificateArn;
  if (!arn) return undefined;
  let pending = cache.get(arn);
  if (!pending) {
    pending = call(ctx, 'acm:DescribeCertificate', () =>
      ctx.clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn })),
    ).then((r) => ({
      names: r.Certificate?.SubjectAlternativeNames ?? (r.Certificate?.DomainName ? [r.Certificate.DomainName] : []),
      status: r.Certificate?.Status ?? 'UNKNOWN',
    }));
    cache.set(arn, pending);
  }
  const cert = await pending;
  return { arn, status: cert.status, covers: cert.status === 'ISSUED' && cert.names.some((n) => nameCovers(n, hostname)) };
}

/**
 * Polls until `check` says done, printing the state whenever it changes and
 * at least once a minute, with the time waited.
 */
async function waitUntil(
  ctx: OpsContext,
  what: string,
  check: () => Promise<{ done: boolean; state: string }>,
  options: { intervalMs: number; timeoutMs: number },
): Promise<void> {
  const start = ctx.now();
  let last = '';
  let lastPrinted = start;
  for (;;) {
    const { done, state } = await check();
    const elapsed = ctx.now() - start;
    const clock = `${Math.floor(elapsed / 60000)}:${String(Math.floor((elapsed % 60000) / 1000)).padStart(2, '0')}`;
    if (done) {
      ctx.log(`  ${what}: ${state} after ${clock}`);
      return;
    }
    if (state !== last || ctx.now() - lastPrinted >= 60000) {
      ctx.log(`  ${what}: ${state} (${clock} so far)`);
      last = state;
      lastPrinted = ctx.now();
    }
    if (elapsed >= options.timeoutMs)
      throw new OpsError(
        `gave up waiting for ${what} after ${clock} (still ${state}). Nothing is undone; run the same command again to keep waiting.`,
      );
    await ctx.sleep(options.intervalMs);
  }
}

/** How long to wait for CloudFront. */
export interface WaitTiming {
  /** Time between polls. @default 15 s */
  readonly pollMs?: number;
  /** When to give up. @default 30 minutes */
  readonly timeoutMs?: number;
}

/**
 * Polls `statusNow` until it answers `done`, with progress as `waitUntil`
 * prints it under the label `what`.
 */
export async function waitForStatus(
  ctx: OpsContext,
  what: string,
  done: string,
  statusNow: () => Promise<string>,
  timing: WaitTiming,
): Promise<void> {
  const check = async (): Promise<{ done: boolean; state: string }> => {
    const state = await statusNow();
    return { done: state === done, state };
  };
  await waitUntil(ctx, what, check, { intervalMs: timing.pollMs ?? 15000, timeoutMs: timing.timeoutMs ?? 30 * 60000 });
}

/**
 * Waits until distribution `id` is Deployed (cloudfront:GetDistribution),
 * with progress under the label `what`; resolves to the last answer.
 */
export async function waitUntilDeployed(
  ctx: OpsContext,
  id: string,
  what: string,
  timing: WaitTiming,
): Promise<GetDistributionCommandOutput> {
  let got: GetDistributionCommandOutput = { $metadata: {} };
  await waitForStatus(
    ctx,
    what,
    'Deployed',
    async () => {
      got = await call(ctx, 'cloudfront:GetDistribution', () => ctx.clients.cloudfront.send(new GetDistributionCommand({ Id: id })), id);
      return got.Distribution?.Status ?? 'unknown';
    },
    timing,
  );
  return got;
}

/** The hostnames of the sites file, each with its site's name, in file order. */
export function hostnamesOf(deployment: LoadedDeployment): { host: string; site: string }[] {
  return deployment.sites.sites.flatMap((s) => s.hostnames.map((host) => ({ host, site: s.name })));
}
