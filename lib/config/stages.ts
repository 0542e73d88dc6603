/**
 * config/stages.json: where and how the app is deployed. One entry per stage
 * (an AWS account with its hosted zones, price class, log retention and who
 * hears the alarms), chosen with `cdk synth -c stage=NAME`.
 * Validated field by field, against the sites' hostnames; every problem is
 * collected before failing.
 */
import { checkHostname, isObject, NAME, namedEntries, parseJsonObject, unknownKeys } from './fields';
import { oneOf, ProblemList, q } from './problems';
import type { SitesConfig } from './sites';

/** CloudFront price classes, cheapest first. */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
export type PriceClassName = (typeof PRICE_CLASSES)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export interface AlarmThresholds {
  /** Alarm when a distribution's 5xxErrorRate (percent of viewer requests) reaches this. */
  readonly fiveXxErrorRatePercent: number;
  /** Alarm when the redirect function's errors on one distribution reach this in 5 minutes. */
  readonly functionErrors: number;
}

export const DEFAULT_ALARMS: AlarmThresholds = { fiveXxErrorRatePercent: 5, functionErrors: 1 };

export interface StageConfig {
  /** Stage name, from the key in `stages`. */
  readonly name: string;
  /** 12-digit AWS account id. */
  readonly account: string;
  /** Hosted zone name → zone id; every site hostname sits in the zone of its longest matching name. */
  readonly hostedZones: ReadonlyMap<string, string>;
  readonly priceClass: PriceClassName;
  /** Days CloudFront access logs are kept in the log bucket. */
  readonly accessLogRetentionDays: number;
  /** Days the edge function's log events are kept, in every region it runs in. */
  readonly edgeLogRetentionDays: number;
  /** Regions whose edge function log groups get that retention. */
  readonly edgeLogRegions: readonly string[];
  /** Who is notified when an alarm fires. */
  readonly alarmEmails: readonly string[];
  readonly alarms: AlarmThresholds;
  /**
   * Hostnames another distribution still holds: on the certificate, but not
   * yet aliases of this stage's distributions and without alias records,
   * until `npm run ops -- cutover` moves them. Sorted.
   */
  readonly awaitingCutover: readonly string[];
}

export interface StagesConfig {
  readonly file: string;
  /** The stage synthesized without `-c stage=NAME`. */
  readonly defaultStage: string;
  readonly stages: ReadonlyMap<string, StageConfig>;
}

const ACCOUNT = /^\d{12}$/;
const ZONE_ID = /^Z[0-9A-Z]{1,31}$/;
/**
 * A commercial AWS region name (`eu-west-2`, `ap-southeast-1`): the
 * partition CloudFront and its edge functions run in. GovCloud, China and
 * made-up names (`xx-bogus-9`) fail only at deploy, so they are refused here.
 */
const REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/;
/**
 * An e-mail address SNS can subscribe: one `@`; a dot-atom local part of
 * printable ASCII (no control characters, whitespace, quotes or brackets);
 * a DNS domain of two labels or more. At most 254 characters.
 */
const EMAIL = /^(?=.{3,254}$)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
/** The most days access logs may be kept in S3: ten years, as the longest CloudWatch Logs retention. */
export const MAX_ACCESS_LOG_DAYS = 3653;
/** The most redirect-function errors in 5 minutes an alarm may wait for: above it the alarm would never fire. */
export const MAX_FUNCTION_ERRORS = 1000;
const STAGE_KEYS = ['account', 'hostedZones', 'priceClass', 'accessLogRetentionDays', 'edgeLogRetentionDays', 'edgeLogRegions', 'alarmEmails', 'alarms', 'awaitingCutover'];

/** The hosted zone a hostname belongs in: the longest zone name equal to it or a parent of it. */
export function zoneOf(hostname: string, zones: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if ((hostname === zone || hostname.endsWith('.' + zone)) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

function positiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/** A number as written in a message (1e+308, and Infinity for JSON's 1e999, which `q` would show as null). */
function num(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : q(v);
}

function checkZones(p: ProblemList, field: string, raw: unknown, sites: SitesConfig | undefined): Map<string, string> {
  const zones = new Map<string, string>();
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    p.atField(field, `must be an object of hosted zone name → zone id, found ${q(raw)}.`, 'give {"po.co": "Z0123456789ABCDEFGHIJ"}, with the ids from Route 53.');
    return zones;
  }
  for (const [zone, id] of Object.entries(raw)) {
    const zf = `${field}.${zone}`;
    if (!checkHostname(p, zf, zone, 'po.co')) continue;
    if (typeof id !== 'string' || !ZONE_ID.test(id)) {
      p.atField(zf, `${q(id)} is not a Route 53 hosted zone id.`, 'copy the id of the public hosted zone from Route 53, such as "Z0123456789ABCDEFGHIJ" (without "/hostedzone/").');
      continue;
    }
    zones.set(zone, id);
  }
  if (!sites || zones.size === 0) return zones;
  const used = new Set<string>();
  for (const site of sites.sites) {
    for (const host of site.hostnames) {
      const zone = zoneOf(host, zones.keys());
      if (zone) used.add(zone);
      else p.atField(field, `no hosted zone holds ${q(host)} (site ${q(site.name)} in ${sites.file}).`, `add the zone that holds it, such as ${q(host.split('.').slice(-2).join('.'))}: "Z...".`);
    }
  }
  for (const zone of zones.keys()) {
    if (!used.has(zone)) p.atField(`${field}.${zone}`, `no hostname in ${sites.file} is in this zone.`, 'remove it, or add the site that uses it.');
  }
  return zones;
}

function checkRetention(p: ProblemList, field: string, v: unknown, allowed: readonly number[] | undefined): v is number {
  if (allowed ? typeof v === 'number' && allowed.includes(v) : positiveInteger(v) && v <= MAX_ACCESS_LOG_DAYS) return true;
  if (!allowed && positiveInteger(v)) {
    p.atField(field, `${num(v)} days is longer than ${MAX_ACCESS_LOG_DAYS} (ten years).`, `give a whole number of days from 1 to ${MAX_ACCESS_LOG_DAYS}.`);
    return false;
  }
  p.atField(field, `${num(v)} is not a number of days${allowed ? ' CloudWatch Logs accepts' : ''}.`, allowed ? `use one of ${oneOf(allowed.map(String))}.` : 'give a whole number of days, 1 or more.');
  return false;
}

function checkStringList(p: ProblemList, field: string, v: unknown, valid: RegExp, what: string, whats: string, example: string): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    p.atField(field, `must be a non-empty list of ${whats}, found ${q(v)}.`, `give a list such as [${q(example)}].`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== 'string' || !valid.test(item)) {
      p.atField(`${field}[${i}]`, `${q(item)} is not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}.`, `write it like ${q(example)}.`);
      ok = false;
    } else if (out.includes(item)) {
      p.atField(`${field}[${i}]`, `${q(item)} is listed twice.`, 'remove the second one.');
      ok = false;
    } else {
      out.push(item);
    }
  });
  return ok ? out : undefined;
}

function checkAlarms(p: ProblemList, field: string, raw: unknown): AlarmThresholds | undefined {
  if (raw === undefined) return DEFAULT_ALARMS;
  if (!isObject(raw)) {
    p.atField(field, `must be an object, found ${q(raw)}.`, `remove it for the defaults, or give ${JSON.stringify(DEFAULT_ALARMS)}.`);
    return undefined;
  }
  unknownKeys(p, field, raw, Object.keys(DEFAULT_ALARMS));
  const rate = raw.fiveXxErrorRatePercent ?? DEFAULT_ALARMS.fiveXxErrorRatePercent;
  const errors = raw.functionErrors ?? DEFAULT_ALARMS.functionErrors;
  let ok = true;
  const rateFix = `give a number above 0 and at most 100, such as ${DEFAULT_ALARMS.fiveXxErrorRatePercent}.`;
  if (typeof rate === 'number' && rate > 100) {
    p.atField(`${field}.fiveXxErrorRatePercent`, `${num(rate)} percent is more than 100: the alarm would never fire.`, rateFix);
    ok = false;
  } else if (typeof rate !== 'number' || !(rate > 0)) {
    p.atField(`${field}.fiveXxErrorRatePercent`, `${num(rate)} is not a percentage above 0.`, rateFix);
    ok = false;
  }
  if (!positiveInteger(errors)) {
    p.atField(`${field}.functionErrors`, `${num(errors)} is not a whole number of errors, 1 or more.`, `give a whole number such as ${DEFAULT_ALARMS.functionErrors}.`);
    ok = false;
  } else if (errors > MAX_FUNCTION_ERRORS) {
    p.atField(`${field}.functionErrors`, `${num(errors)} errors in 5 minutes is more than ${MAX_FUNCTION_ERRORS}: the alarm would never fire.`, `give a whole number from 1 to ${MAX_FUNCTION_ERRORS}, such as ${DEFAULT_ALARMS.functionErrors}.`);
    ok = false;
  }
  return ok ? { fiveXxErrorRatePercent: rate as number, functionErrors: errors as number } : undefined;
}

/** `awaitingCutover`: absent or a list (may be empty) of distinct hostnames of the sites file. */
function checkAwaiting(p: ProblemList, field: string, raw: unknown, sites: SitesConfig | undefined): string[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.atField(field, `must be a list of hostnames, found ${q(raw)}.`, 'give a list such as ["uk.po.co"], or remove it when no hostname waits for cutover.');
    return undefined;
  }
  const known = sites ? new Set(sites.sites.flatMap((s) => s.hostnames)) : undefined;
  const out: string[] = [];
  let ok = true;
  raw.forEach((host, i) => {
    const f = `${field}[${i}]`;
    if (typeof host !== 'string' || (known && !known.has(host))) {
      p.atField(f, `${q(host)} is not a hostname of ${sites?.file ?? 'the sites file'}.`, known ? `use one of ${oneOf([...known].sort())}.` : 'write a hostname of the sites file, such as "uk.po.co".');
      ok = false;
    } else if (out.includes(host)) {
      p.atField(f, `${q(host)} is listed twice.`, 'remove the second one.');
      ok = false;
    } else {
      out.push(host);
    }
  });
  return ok ? out.sort() : undefined;
}

/**
 * Parses and validates the text of config/stages.json. With `sites` (valid),
 * also checks that every hostname has a hosted zone and every zone a hostname.
 * Problems go to `p`; the result is only meaningful when `p.ok`.
 */
export function parseStages(text: string, p: ProblemList, sites: SitesConfig | undefined): StagesConfig | undefined {
  const raw = parseJsonObject(p, text, 'the default config/stages.json');
  if (!raw) return undefined;
  unknownKeys(p, '', raw, ['defaultStage', 'stages']);

  const stages = new Map<string, StageConfig>();
  const example = '{"prod": {"account": "123456789012", "hostedZones": {...}, ...}}';
  const entries = namedEntries(p, 'stages', raw.stages, 'stage', example, '{"account": "...", "hostedZones": {...}, ...}');
  for (const [name, s] of entries) {
    const stage = checkStage(p, name, s, sites);
    if (stage) stages.set(name, stage);
  }
  checkDefaultStage(p, raw, entries.map(([n]) => n));
  if (!p.ok) return undefined;
  return { file: p.file, defaultStage: raw.defaultStage as string, stages };
}

/** One stage: every field is checked, whatever the others hold. */
function checkStage(p: ProblemList, name: string, s: Record<string, unknown>, sites: SitesConfig | undefined): StageConfig | undefined {
  const field = `stages.${name}`;
  unknownKeys(p, field, s, STAGE_KEYS);
  const before = p.problems.length;
  if (typeof s.account !== 'string' || !ACCOUNT.test(s.account)) {
    p.atField(`${field}.account`, `${q(s.account)} is not a 12-digit AWS account id.`, 'write the account id as a string of 12 digits, such as "123456789012".');
  }
  const hostedZones = checkZones(p, `${field}.hostedZones`, s.hostedZones, sites);
  if (!PRICE_CLASSES.includes(s.priceClass as PriceClassName)) {
    p.atField(`${field}.priceClass`, `${q(s.priceClass)} is not a CloudFront price class.`, `use ${oneOf(PRICE_CLASSES.map((c) => `"${c}"`))}.`);
  }
  checkRetention(p, `${field}.accessLogRetentionDays`, s.accessLogRetentionDays, undefined);
  checkRetention(p, `${field}.edgeLogRetentionDays`, s.edgeLogRetentionDays, LOG_RETENTION_DAYS);
  const edgeLogRegions = checkStringList(p, `${field}.edgeLogRegions`, s.edgeLogRegions, REGION, 'AWS region name', 'AWS region names', 'eu-west-2');
  const alarmEmails = checkStringList(p, `${field}.alarmEmails`, s.alarmEmails, EMAIL, 'e-mail address', 'e-mail addresses', 'platform-oncall@example.com');
  const alarms = checkAlarms(p, `${field}.alarms`, s.alarms);
  const awaitingCutover = checkAwaiting(p, `${field}.awaitingCutover`, s.awaitingCutover, sites);
  if (p.problems.length !== before || !edgeLogRegions || !alarmEmails || !alarms || !awaitingCutover) return undefined;
  return {
    name,
    account: s.account as string,
    hostedZones,
    priceClass: s.priceClass as PriceClassName,
    accessLogRetentionDays: s.accessLogRetentionDays as number,
    edgeLogRetentionDays: s.edgeLogRetentionDays as number,
    edgeLogRegions,
    alarmEmails,
    alarms,
    awaitingCutover,
  };
}

/** `defaultStage` names a stage of `stages` (valid or not). */
function checkDefaultStage(p: ProblemList, raw: Record<string, unknown>, names: readonly string[]): void {
  if (typeof raw.defaultStage !== 'string' || !NAME.test(raw.defaultStage) || !(isObject(raw.stages) && raw.defaultStage in raw.stages)) {
    p.atField('defaultStage', `${q(raw.defaultStage)} is not a stage defined in stages.`, names.length ? `use one of ${oneOf(names)}.` : 'define a stage in stages and name it here.');
  }
}

/** The stage named `name` (the default stage when undefined), or a problem naming the stages there are. */
export function selectStage(p: ProblemList, config: StagesConfig, name: unknown): StageConfig | undefined {
  const wanted = name === undefined ? config.defaultStage : name;
  const stage = typeof wanted === 'string' ? config.stages.get(wanted) : undefined;
  if (!stage) {
    p.atField('stages', `there is no stage ${q(wanted)}.`, `choose one of ${oneOf([...config.stages.keys()])} (--stage NAME for the tools, -c stage=NAME for cdk), or add it to ${config.file}.`);
  }
  return stage;
}
