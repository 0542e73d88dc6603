/**
 * What Lambda@Edge and CloudFront Functions allow, and where and on what the
 * redirect function runs: the numbers the bundle, the constructs and the
 * operator tools check against. Pure: no AWS, CDK or esbuild imports.
 */

/** Region Lambda@Edge functions must be created in. */
export const EDGE_FUNCTION_REGION = 'us-east-1';

/** Lambda@Edge quotas that depend on the event type. */
export const EDGE_LIMITS = {
  'viewer-request': { compressedPackageBytes: 1024 * 1024, maxMemoryMb: 128, maxTimeoutSeconds: 5, generatedResponseBytes: 40 * 1024 },
  'origin-request': {
    compressedPackageBytes: 50 * 1024 * 1024,
    maxMemoryMb: 10240,
    maxTimeoutSeconds: 30,
    generatedResponseBytes: 1024 * 1024,
  },
} as const;

/**
 * CloudFront Functions' limit on a function's code, in bytes (CloudFront
 * Developer Guide, quotas on CloudFront Functions: 10 KB).
 */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;

/** Raised when a CloudFront Function's code is over CloudFront's limit. */
export class CloudFrontFunctionTooLargeError extends Error {
  constructor(
    readonly functionName: string,
    readonly bytes: number,
    fix: string,
  ) {
    super(
      `The CloudFront Function ${functionName} is ${bytes} bytes; CloudFront Functions take at most ${CLOUDFRONT_FUNCTION_MAX_BYTES}. Fix: ${fix}`,
    );
    this.name = 'CloudFrontFunctionTooLargeError';
  }
}

/** The event type the redirect function is associated with (see lambda/handler.ts). */
export const EDGE_EVENT = 'origin-request';

/**
 * The Node.js major version the redirect function runs on: its Lambda runtime
 * (`nodejs24.x`, `EDGE_RUNTIME` in lib/constructs/redirect-function.ts) and the esbuild
 * target of its bundle both derive from this one number.
 */
export const EDGE_NODE_MAJOR = 24;

/** The Lambda runtime name of `EDGE_NODE_MAJOR`. */
export const EDGE_RUNTIME_NAME = `nodejs${EDGE_NODE_MAJOR}.x` as const;

/** The esbuild target of the bundle: the function's Node.js version. */
export const EDGE_NODE_TARGET = `node${EDGE_NODE_MAJOR}` as const;
