/**
 * Names shared by the CDK app and the operator tools (lib/ops), so that each
 * finds what the other made. Pure: no AWS or CDK imports.
 */

/** The stack of a stage: `PocoSunset-<stage>`. */
export function stackNameFor(stage: string): string {
  return `PocoSunset-${stage}`;
}

const COMMENT_PREFIX = 'po.co sunset: ';
/** CloudFront's limit on a distribution comment. */
const COMMENT_MAX = 128;

/**
 * The comment of a site's distribution. The operator tools find this
 * project's distributions by it (ListDistributions returns comments, not
 * tags), so it names both the stack and the site.
 */
export function distributionComment(stack: string, site: string): string {
  const comment = `${COMMENT_PREFIX}${stack} site ${site}`;
  if (comment.length > COMMENT_MAX) throw new Error(`distributionComment: "${comment}" is longer than CloudFront's ${COMMENT_MAX} characters. Fix: shorten the stage or site name.`);
  return comment;
}

/** The stack and site a distribution comment names, or undefined when it is not one of this project's. */
export function parseDistributionComment(comment: string | undefined): { stack: string; site: string } | undefined {
  const m = /^po\.co sunset: (\S+) site (\S+)$/.exec(comment ?? '');
  return m ? { stack: m[1], site: m[2] } : undefined;
}

/** What the `*` of a wildcard hostname's first label becomes in construct ids. */
const WILDCARD_LABEL = 'wildcard';

/**
 * The construct id of a hostname: the hostname itself, except that a
 * wildcard first label is written `wildcard` (`*.po.co` → `wildcard.po.co`),
 * so that ids and construct paths hold no `*`. Renaming a hostname changes
 * its id (and replaces what carries it); nothing else does.
 */
export function hostnameId(hostname: string): string {
  return hostname.startsWith('*.') ? WILDCARD_LABEL + hostname.slice(1) : hostname;
}

/**
 * The construct id of each hostname, by hostname. Throws when two hostnames
 * would share an id (`*.po.co` and `wildcard.po.co`), which would otherwise
 * fail deep in CDK or, worse, give one name the other's resources.
 */
export function hostnameIds(hostnames: Iterable<string>, where: string): Map<string, string> {
  const ids = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const hostname of hostnames) {
    const id = hostnameId(hostname);
    const other = owner.get(id);
    if (other !== undefined && other !== hostname) {
      throw new Error(`${where}: hostnames ${JSON.stringify(other)} and ${JSON.stringify(hostname)} would share the construct id ${JSON.stringify(id)}. Fix: rename one of them, or give them to different sites.`);
    }
    owner.set(id, hostname);
    ids.set(hostname, id);
  }
  return ids;
}
