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
