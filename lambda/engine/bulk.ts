/**
 * The bulk redirect list at request time: a hash table over `host + path`
 * keys, packed into one binary buffer at compile time (`packBulk`) so that
 * loading a list of a million lines costs one file read and a few typed-array
 * views, not a million strings and a Map. A lookup costs a hash of the
 * candidate key (computed from the host and path strings, never built as a
 * string), a comparison of the slot's stored hash and host, and a byte
 * comparison of the path only when both agree: at most a few dozen per request
 * (one per path prefix up to the deepest subpath source, per candidate
 * host), whatever the list's length; never a scan of the list.
 *
 * Matching follows Cloudflare Bulk Redirects' documented algorithm:
 * 1. the most specific (longest) matching path wins;
 * 2. then an exact hostname beats an include-subdomains match;
 * 3. then a more specific domain beats a less specific one;
 * 4. then a scheme-specific source beats a scheme-less one.
 *
 * Buffer layout (little-endian, every section 4-byte aligned):
 *   u32 magic "PBK2", u32 n (entries), u32 capacity (slots, a power of two),
 *   u32 key bytes, u32 header bytes,
 *   u32 offsets[n + 1] (of each key's path in the key bytes), i32 next[n]
 *   (the next entry with the same key, in file order, or -1),
 *   u32 slots[capacity] (entry + 1 of the first entry of a key, 0 when
 *   empty), i32 slotHashes[capacity] (the FNV-1a of that key), u32 target[n],
 *   u32 line[n], u16 host[n] (index of the key's host in the header's hosts),
 *   u8 meta[n], the keys' paths (ASCII, each starting with `/`), and a JSON
 *   header: file, targets, internal targets, and per source host (sorted)
 *   the depths of its subpath sources.
 * Packages of format 1 ("PBK1": whole keys, no slot hashes or host column)
 * are read by the review tools (lib/review/packed-v1.ts), not here.
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
import { fnv, FNV_BASIS, FNV_PRIME } from './hash';
import type { PathScan } from './path';

/** The source hosts a request host can match (`BulkIndex.plan`). */
export interface BulkHostPlan {
  /**
   * Candidate source hosts, most specific first (the host itself when it has
   * sources, then its parents with include-subdomains sources), as indexes
   * into the list's source hosts.
   */
  readonly hostIds: Int32Array;
  /** Whether the first candidate is the request host itself. */
  readonly exact: boolean;
  /** Per candidate, FNV-1a of the host and `/`: the hash every key of the host starts from. */
  readonly seeds: Int32Array;
  /** Bit d set: some candidate has a subpath source of d segments, so a request's d-segment prefix is looked up. */
  readonly subDepths: number;
}

const MAGIC = 0x324b4250; // "PBK2"
const FIXED_WORDS = 5;
/** Host indexes are stored in 16 bits. */
const MAX_HOSTS = 0xffff;

interface PackedHeader {
  readonly file: string;
  readonly targets: readonly string[];
  readonly internalTargets: readonly number[];
  /**
   * `[host, depths of the host's subpath sources, depths of those of its include-subdomains sources (null: it has no
   * include-subdomains source)]`, depths as bit sets, sorted by host: a key's host index is its position here.
   */
  readonly hosts: readonly (readonly [string, number, number | null])[];
}

const SLASH = 47;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Packs the compiled columns into the buffer `BulkIndex` reads. Deterministic. */
export function packBulk(bulk: CompiledBulk): Uint8Array {
  const n = bulk.keys.length;
  let capacity = 8;
  while (capacity < n * 2) capacity *= 2;
  // Each key is its host, then its path from the first '/'.
  const slashes = bulk.keys.map((k) => k.indexOf('/'));
  const keyHosts = bulk.keys.map((k, i) => k.slice(0, slashes[i]));
  const hostNames = [...new Set(keyHosts)].sort();
  if (hostNames.length > MAX_HOSTS)
    throw new Error(`packBulk: ${hostNames.length} source hosts; the packed format holds at most ${MAX_HOSTS}.`);
  const hostIndex = new Map(hostNames.map((h, i) => [h, i]));
  const hostOf = new Uint16Array(n);
  const offsets = new Uint32Array(n + 1);
  let keyBytes = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = keyBytes;
    hostOf[i] = hostIndex.get(keyHosts[i])!;
    keyBytes += bulk.keys[i].length - slashes[i];
  }
  offsets[n] = keyBytes;
  const keys = new Uint8Array(keyBytes);
  const next = new Int32Array(n).fill(-1);
  const slots = new Uint32Array(capacity);
  const slotHashes = new Int32Array(capacity);
  const hostDepths = new Map<string, [number, number | null]>();
  const last = new Map<number, number>(); // slot → last entry of its chain
  for (let i = 0; i < n; i++) {
    const key = bulk.keys[i];
    const slash = slashes[i];
    for (let c = 0; c < key.length; c++) {
      const code = key.charCodeAt(c);
      if (code > 0x7e || code < 0x21)
        throw new Error(`packBulk: key ${JSON.stringify(key)} is not printable ASCII; the compiler emits canonical keys only.`);
      if (c >= slash) keys[offsets[i] + c - slash] = code;
    }
    const keyHash = fnv(FNV_BASIS, key, 0, key.length);
    let slot = keyHash & (capacity - 1);
    for (;;) {
      const head = slots[slot];
      if (head === 0) {
        slots[slot] = i + 1;
        slotHashes[slot] = keyHash;
        last.set(slot, i);
        break;
      }
      if (bulk.keys[head - 1] === key) {
        next[last.get(slot)!] = i;
        last.set(slot, i);
        break;
      }
      slot = (slot + 1) & (capacity - 1);
    }
    const host = keyHosts[i];
    const depth = bulk.meta[i] & BULK_SUBPATH_MATCHING ? (key.length - slash === 1 ? 0 : key.slice(slash + 1).split('/').length) : -1;
    const bit = depth >= 0 ? 1 << depth : 0;
    const d = hostDepths.get(host) ?? [0, null];
    d[0] |= bit;
    if (bulk.meta[i] & BULK_INCLUDE_SUBDOMAINS) d[1] = (d[1] ?? 0) | bit;
    hostDepths.set(host, d);
  }
  const header: PackedHeader = {
    file: bulk.file,
    targets: bulk.targets,
    internalTargets: bulk.internalTargets,
    hosts: hostNames.map((h) => [h, ...hostDepths.get(h)!] as const),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const size =
    4 * FIXED_WORDS +
    4 * (n + 1) +
    4 * n +
    4 * capacity +
    4 * capacity +
    4 * n +
    4 * n +
    align4(2 * n) +
    align4(n) +
    align4(keyBytes) +
    headerBytes.length;
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, FIXED_WORDS);
  words.set([MAGIC, n, capacity, keyBytes, headerBytes.length]);
  let at = 4 * FIXED_WORDS;
  const put = (arr: Uint32Array | Int32Array | Uint16Array | Uint8Array, bytes: number): void => {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), at);
    at += bytes;
  };
  put(offsets, 4 * (n + 1));
  put(next, 4 * n);
  put(slots, 4 * capacity);
  put(slotHashes, 4 * capacity);
  put(Uint32Array.from(bulk.target), 4 * n);
  put(Uint32Array.from(bulk.line), 4 * n);
  put(hostOf, align4(2 * n));
  put(Uint8Array.from(bulk.meta), align4(n));
  put(keys, align4(keyBytes));
  out.set(headerBytes, at);
  return out;
}

export class BulkIndex {
  /** The list's file name as reviewers know it, used in rule names. */
  readonly file: string;
  /** Distinct target URLs. */
  readonly targets: readonly string[];
  /** Number of entries. */
  readonly size: number;
  private readonly offsets: Uint32Array;
  private readonly nextEntry: Int32Array;
  private readonly slots: Uint32Array;
  private readonly slotHashes: Int32Array;
  private readonly hostOf: Uint16Array;
  /** The source hosts, sorted: a key's host column indexes this. */
  private readonly hostNames: string[] = [];
  private readonly mask: number;
  private readonly targetOf: Uint32Array;
  private readonly lineOf: Uint32Array;
  private readonly metaOf: Uint8Array;
  private readonly keys: Uint8Array;
  /**
   * Per target, 1 when it points at one of this project's redirect hosts
   * (followed at request time): zero-filled bytes, so a list of a million
   * targets costs no loop at load.
   */
  private readonly internal: Uint8Array;
  /** Exact hosts of sources → the depths of their subpath sources, as a bit set. */
  private readonly exactHosts = new Map<string, number>();
  /** Hosts of include-subdomains sources → the depths of those sources that are subpath sources. */
  private readonly parentHosts = new Map<string, number>();
  /**
   * Scratch space for one match, reused by every match (see
   * docs/performance.md, convention "Reused scratch"): the hashes of the keys
   * of candidate hosts other than the scan's.
   */
  private hashScratch = new Int32Array(64);
  /** After `matchEntry` found an entry: how many path segments its source covered. */
  matchDepth = 0;

  private scratchHashes(size: number): Int32Array {
    if (this.hashScratch.length < size) this.hashScratch = new Int32Array(size * 2);
    return this.hashScratch;
  }

  /** Reads a buffer from `packBulk` (the bundle's `bulk.bin`) without copying it. */
  constructor(packed: Uint8Array) {
    let bytes = packed;
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice(); // typed-array views need 4-byte alignment
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, FIXED_WORDS);
    if (words[0] !== MAGIC) throw new Error('BulkIndex: not a packed bulk list (bad magic); rebuild the bundle.');
    const [, n, capacity, keyBytes, headerBytes] = words;
    let at = bytes.byteOffset + 4 * FIXED_WORDS;
    const u32 = (count: number): Uint32Array => {
      const view = new Uint32Array(bytes.buffer, at, count);
      at += 4 * count;
      return view;
    };
    this.offsets = u32(n + 1);
    this.nextEntry = new Int32Array(bytes.buffer, at, n);
    at += 4 * n;
    this.slots = u32(capacity);
    this.slotHashes = new Int32Array(bytes.buffer, at, capacity);
    at += 4 * capacity;
    this.targetOf = u32(n);
    this.lineOf = u32(n);
    this.hostOf = new Uint16Array(bytes.buffer, at, n);
    at += align4(2 * n);
    this.metaOf = new Uint8Array(bytes.buffer, at, n);
    at += align4(n);
    this.keys = new Uint8Array(bytes.buffer, at, keyBytes);
    at += align4(keyBytes);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes.buffer, at, headerBytes))) as PackedHeader;
    this.size = n;
    this.mask = capacity - 1;
    this.file = header.file;
    this.targets = header.targets;
    this.internal = new Uint8Array(header.targets.length);
    for (const t of header.internalTargets) this.internal[t] = 1;
    for (const [host, exactDepths, parentDepths] of header.hosts) {
      this.hostNames.push(host);
      this.exactHosts.set(host, exactDepths);
      if (parentDepths !== null) this.parentHosts.set(host, parentDepths);
    }
  }

  /** Packed parameters of an entry (see `BULK_*`). */
  meta(entry: number): number {
    return this.metaOf[entry];
  }

  /** Index into `targets` of an entry's target. */
  targetIndex(entry: number): number {
    return this.targetOf[entry];
  }

  /** 1-based line of an entry in `file`. */
  line(entry: number): number {
    return this.lineOf[entry];
  }

  /** The `host + canonical path` key of an entry (for reports; not used at request time). */
  key(entry: number): string {
    return this.hostNames[this.hostOf[entry]] + String.fromCharCode(...this.keys.subarray(this.offsets[entry], this.offsets[entry + 1]));
  }

  /** Whether a target is on one of this project's redirect hosts. */
  isInternal(targetIndex: number): boolean {
    return this.internal[targetIndex] === 1;
  }

  /**
   * The source hosts a request host can match, or undefined when no source
   * can: worked out once per host, so that a request costs no host lookups.
   */
  plan(host: string): BulkHostPlan | undefined {
    const hosts: string[] = [];
    let subDepths = 0;
    const own = this.exactHosts.get(host);
    if (own !== undefined) {
      hosts.push(host);
      subDepths = own;
    }
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      const parent = host.slice(dot + 1);
      const depths = this.parentHosts.get(parent);
      if (depths !== undefined) {
        hosts.push(parent);
        subDepths |= depths;
      }
    }
    if (hosts.length === 0) return undefined;
    const seeds = new Int32Array(hosts.map((h) => Math.imul(fnv(FNV_BASIS, h, 0, h.length) ^ SLASH, FNV_PRIME)));
    return { hostIds: Int32Array.from(hosts, (h) => this.hostNames.indexOf(h)), exact: own !== undefined, seeds, subDepths };
  }

  /**
   * The first entry (in file order) whose key is the host `hostId` + the
   * first `depth` segments of `path` (`/` for depth 0), or -1. `hash` is that
   * key's FNV-1a and `length` the length of its path part; the key is
   * compared without being built.
   */
  private find(hash: number, length: number, hostId: number, path: PathScan, depth: number): number {
    const { offsets, slots, slotHashes, hostOf, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const head = slots[slot];
      if (head === 0) return -1;
      const entry = head - 1;
      if (
        slotHashes[slot] === hash &&
        hostOf[entry] === hostId &&
        offsets[entry + 1] - offsets[entry] === length &&
        this.pathIs(offsets[entry], path, depth)
      )
        return entry;
    }
  }

  /** Whether the key path at byte `k` is `/` + the first `depth` segments of `path` joined by `/`, given that the lengths agree. */
  private pathIs(k: number, path: PathScan, depth: number): boolean {
    const { keys } = this;
    if (depth === 0) return keys[k] === SLASH;
    const { source } = path;
    for (let d = 0; d < depth; d++) {
      if (keys[k++] !== SLASH) return false;
      for (let c = path.start(d), end = path.end(d); c < end; c++) if (keys[k++] !== source.charCodeAt(c)) return false;
    }
    return true;
  }

  /**
   * The winning entry for a request, or -1; `matchDepth` then holds how many
   * path segments its source covered (the rest is the path suffix).
   * @param scheme the viewer's scheme
   * @param plan the request host's `plan`
   * @param path the canonical path
   */
  matchEntry(scheme: 'http' | 'https', plan: BulkHostPlan, path: PathScan): number {
    const { hostIds, seeds, subDepths } = plan;
    const n = hostIds.length;
    const wanted = scheme === 'https' ? BULK_SCHEME_HTTPS : BULK_SCHEME_HTTP;
    const meta = this.metaOf;
    const depths = path.count;
    const { source } = path;
    // Per candidate host, the hash of host + path prefix at every depth: the scan's for the first
    // candidate when it was seeded with its host, one pass over the path for any other.
    const scanned = path.seed === seeds[0] ? 1 : 0; // how many candidates (the first, or none) the scan's hashes serve
    const hashes = scanned === n ? this.hashScratch : this.scratchHashes(n * (depths + 1)); // no other candidate: nothing is written
    for (let h = scanned, base = scanned * (depths + 1); h < n; h++, base += depths + 1) {
      let hash = seeds[h];
      hashes[base] = hash;
      for (let d = 1; d <= depths; d++) {
        if (d > 1) hash = Math.imul(hash ^ SLASH, FNV_PRIME);
        hash = fnv(hash, source, path.start(d - 1), path.end(d - 1));
        hashes[base + d] = hash;
      }
    }
    // The full path first (exact and subpath sources), then shorter prefixes (subpath sources only).
    for (let depth = depths; depth >= 0; depth--) {
      const isFull = depth === depths;
      if (!isFull && (depth > 30 || !(subDepths & (1 << depth)))) continue;
      for (let h = 0; h < n; h++) {
        let anyScheme = -1;
        const exact = h === 0 && plan.exact === true;
        const hash = h < scanned ? path.hash(depth) : hashes[h * (depths + 1) + depth];
        for (let i = this.find(hash, path.keyLength(depth), hostIds[h], path, depth); i >= 0; i = this.nextEntry[i]) {
          const m = meta[i];
          if (!isFull && !(m & BULK_SUBPATH_MATCHING)) continue;
          if (!exact && !(m & BULK_INCLUDE_SUBDOMAINS)) continue;
          const s = m & BULK_SCHEME_MASK;
          if (s === wanted) {
            this.matchDepth = depth;
            return i;
          }
          if (s === BULK_SCHEME_ANY && anyScheme < 0) anyScheme = i;
        }
        if (anyScheme >= 0) {
          this.matchDepth = depth;
          return anyScheme;
        }
      }
    }
    return -1;
  }
}
