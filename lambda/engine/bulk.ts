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
  /** Exact hosts of sources → the largest segment count of their subpath sources (-1: none). */
  private readonly exactHosts = new Map<string, number>();
  /** Hosts of include-subdomains sources → the same. */
  private readonly parentHosts = new Map<string, number>();
  // Scratch space for one match (the engine is single-threaded): candidate hosts, most specific first.
  private readonly candHost: string[] = [];
  private readonly candExact: boolean[] = [];

  constructor(private readonly bulk: CompiledBulk) {
    const { keys, meta } = bulk;
    this.next = new Int32Array(keys.length).fill(-1);
    // Walk backwards so that each chain lists entries in file order.
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const head = this.first.get(key);
      if (head !== undefined) this.next[i] = head;
      this.first.set(key, i);
      const slash = key.indexOf('/');
      const host = key.slice(0, slash);
      const depth = meta[i] & BULK_SUBPATH_MATCHING ? (key.length - slash === 1 ? 0 : key.slice(slash + 1).split('/').length) : -1;
      this.exactHosts.set(host, Math.max(depth, this.exactHosts.get(host) ?? -1));
      if (meta[i] & BULK_INCLUDE_SUBDOMAINS) this.parentHosts.set(host, Math.max(depth, this.parentHosts.get(host) ?? -1));
    }
  }

  /**
   * The winning entry for a request, or undefined.
   * @param scheme the viewer's scheme
   * @param host normalised host
   * @param segments canonical path segments
   */
  match(scheme: 'http' | 'https', host: string, segments: readonly string[]): BulkMatch | undefined {
    const hosts = this.candHost;
    const exact = this.candExact;
    let n = 0;
    let maxSub = -1;
    const own = this.exactHosts.get(host);
    if (own !== undefined) {
      hosts[n] = host;
      exact[n++] = true;
      maxSub = own;
    }
    if (this.parentHosts.size > 0) {
      for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
        const parent = host.slice(dot + 1);
        const depth = this.parentHosts.get(parent);
        if (depth !== undefined) {
          hosts[n] = parent;
          exact[n++] = false;
          if (depth > maxSub) maxSub = depth;
        }
      }
    }
    if (n === 0) return undefined;

    const wanted = scheme === 'https' ? BULK_SCHEME_HTTPS : BULK_SCHEME_HTTP;
    const { meta } = this.bulk;
    const path = segments.length === 0 ? '/' : '/' + segments.join('/');
    // The full path first (exact and subpath sources), then shorter prefixes (subpath sources only).
    let end = path.length;
    for (let depth = segments.length; depth >= 0; depth--) {
      const isFull = depth === segments.length;
      if (!isFull) {
        end -= segments[depth].length + 1;
        if (depth > maxSub) continue;
      }
      const prefix = isFull ? path : depth === 0 ? '/' : path.slice(0, end);
      for (let h = 0; h < n; h++) {
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
