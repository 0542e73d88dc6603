/**
 * Names shared by the viewer functions, the Lambda@Edge handler and the CDK
 * policies: the headers through which they talk. Neither reaches a visitor.
 */

/**
 * Set by the viewer-request function on region-path sites to the viewer's
 * country (`-` when unknown) when, and only when, the path names no region;
 * in the cache key, so each country is cached apart only where it changes
 * the answer. The redirect function reads the country from it.
 */
export const COUNTRY_KEY_HEADER = 'x-poco-country';

/**
 * Set by the redirect function on a redirect whose rule keeps the query
 * string; the viewer-response function removes it and appends the viewer's
 * query string to `Location`. So the query string stays out of the cache key.
 */
export const APPEND_QUERY_HEADER = 'x-poco-append-query';
