/**
 * The bulk redirect list at request time: a hash index over `host + path`
 * keys, so a lookup costs at most a few dozen `Map.get` calls whatever the
 * list's length (one per path prefix up to the deepest subpath source, per
 * candidate host), never a scan of the list.
 *
 * Matching follows Cloudflare Bulk Redirects' documented algorithm:
 * 1. the most specific (longest) matching path wins;
 * 2. then an exact hostname beats an include-subdomains match;
 * 3. then a more specific domain beats a less specific one;
 * 4. then a scheme-specific source beats a scheme-less one.
 */
import {
  BULK_INCLUDE_SUBDOMAINS,
  BULK_SCHEME_ANY,
  BULK_SCHEME_HTTP,
  BULK_SCHEME_HTTPS,
  BULK_SCHEME_MASK,
  BULK_SUBPATH_MATCHING,
  CompiledBulk,
} from './types';

/** A bulk entry that matched, and how much of the path its source covered. */
export interface BulkMatch {
  /** Index of the entry in the compiled columns. */
  readonly entry: number;
  /** Number of request path segments the source matched; the rest is the path suffix. */
  readonly depth: number;
}

export class BulkIndex {
  private readonly first = new Map<string, number>();
  private readonly next: Int32Array;
  /** Hosts that are the exact host of at least one source. */
  private readonly exactHosts = new Set<string>();
  /** Hosts of include-subdomains sources. */
  private readonly parentHosts = new Set<string>();
  /** Largest number of segments in any subpath-matching source. */
  private readonly maxSubpathDepth: number;

  constructor(private readonly bulk: CompiledBulk) {
    const { keys, meta } = bulk;
    this.next = new Int32Array(keys.length).fill(-1);
    let maxDepth = -1;
    // Walk backwards so that each chain lists entries in file order.
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const head = this.first.get(key);
      if (head !== undefined) this.next[i] = head;
      this.first.set(key, i);
      const slash = key.indexOf('/');
      const host = key.slice(0, slash);
      this.exactHosts.add(host);
      if (meta[i] & BULK_INCLUDE_SUBDOMAINS) this.parentHosts.add(host);
      if (meta[i] & BULK_SUBPATH_MATCHING) {
        const depth = key.length - slash === 1 ? 0 : key.slice(slash + 1).split('/').length;
        if (depth > maxDepth) maxDepth = depth;
      }
    }
    this.maxSubpathDepth = maxDepth;
  }

  /** Number of entries. */
  get size(): number {
    return this.bulk.keys.length;
  }

  /**
   * The winning entry for a request, or undefined.
   * @param scheme the viewer's scheme
   * @param host normalised host
   * @param segments canonical path segments
   */
  match(scheme: 'http' | 'https', host: string, segments: readonly string[]): BulkMatch | undefined {
    const hosts: string[] = [];
    const exact: boolean[] = [];
    if (this.exactHosts.has(host)) {
      hosts.push(host);
      exact.push(true);
    }
    if (this.parentHosts.size > 0) {
      for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
        const parent = host.slice(dot + 1);
        if (this.parentHosts.has(parent)) {
          hosts.push(parent);
          exact.push(false);
        }
      }
    }
    if (hosts.length === 0) return undefined;

    // ends[d] = length of the path key prefix that holds the first d segments.
    const ends: number[] = [1];
    let path = '/';
    for (let d = 0; d < segments.length; d++) {
      path = d === 0 ? '/' + segments[0] : path + '/' + segments[d];
      ends.push(path.length);
    }
    const wanted = scheme === 'https' ? BULK_SCHEME_HTTPS : BULK_SCHEME_HTTP;
    const { meta } = this.bulk;

    for (let depth = segments.length; depth >= 0; depth--) {
      const isFull = depth === segments.length;
      if (!isFull && depth > this.maxSubpathDepth) continue;
      const prefix = isFull ? path : path.slice(0, ends[depth]);
      for (let h = 0; h < hosts.length; h++) {
        let anyScheme = -1;
        for (let i = this.first.get(hosts[h] + prefix) ?? -1; i >= 0; i = this.next[i]) {
          const m = meta[i];
          if (!isFull && !(m & BULK_SUBPATH_MATCHING)) continue;
          if (!exact[h] && !(m & BULK_INCLUDE_SUBDOMAINS)) continue;
          const s = m & BULK_SCHEME_MASK;
          if (s === wanted) return { entry: i, depth };
          if (s === BULK_SCHEME_ANY && anyScheme < 0) anyScheme = i;
        }
        if (anyScheme >= 0) return { entry: anyScheme, depth };
      }
    }
    return undefined;
  }
}
