/**
 * A request path as the engine reads it at request time: canonical segments
 * held as ranges of one string, so that deciding a request builds no array
 * and no string per segment.
 *
 * `load` gives exactly `canonicalPath`'s segments, trailing slash and index
 * (test/safety.property.test.ts checks this for arbitrary paths). The common
 * path, made only of characters that need no encoding and with no `.` or `..`
 * segment, is scanned once in place; any other is made canonical by
 * `canonicalPath` first and its canonical form scanned.
 */
import { FNV_BASIS, FNV_PRIME } from './hash';
import { canonicalPath, lowerSegment } from './url';

const SLASH = 47;
const DOT = 46;
const PERCENT = 37;

const NEEDS_WORK = 1;
const UPPER = 2;
const ESCAPE = 4;
/** Per ASCII code, bits: NEEDS_WORK (encoding), UPPER (an upper-case letter), ESCAPE (`%`). */
const CLASS = new Uint8Array(128).fill(NEEDS_WORK);
for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@") CLASS[ch.charCodeAt(0)] = 0;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER;
CLASS[PERCENT] = NEEDS_WORK | ESCAPE;

/** What lower-casing a segment takes: nothing, `toLowerCase`, or `lowerSegment` (escapes keep upper-case hex). */
const CASE_LOWER = 0;
const CASE_UPPER = 1;
const CASE_ESCAPED = 2;

/** Fields are public for the bulk index's lookups; only `load` writes them. */
export class PathScan {
  /** The string the segments are ranges of: the raw path, or its canonical form when it needed work. */
  source = '/';
  /** Number of canonical segments. */
  count = 0;
  /** Whether the path ended with `/` (or with a dropped `index.html`), as `CanonicalPath.trailingSlash`. */
  trailingSlash = true;
  /** The trailing `index.html` segment as sent, when one was dropped. */
  index: string | undefined = undefined;
  /** Start of each segment in `source`. */
  starts = new Int32Array(16);
  /** End (exclusive) of each segment in `source`. */
  ends = new Int32Array(16);
  /**
   * `hashes[d]`: 32-bit FNV-1a of the key `host + '/' + the first d segments
   * joined by '/'`, continued from the `seed` given to `load` (the hash of
   * `host + '/'`), so the bulk index needs no second pass over the path.
   */
  hashes = new Int32Array(17);
  /** `keyLengths[d]`: the length of `'/' + the first d segments joined by '/'`, the path part of the same key. */
  keyLengths = new Int32Array(17);
  /** The seed `hashes` were computed from. */
  seed = FNV_BASIS;
  /** Whether the raw path was read as it is: only `/` and characters that stand for themselves, no dot segments (`source` is the raw path). */
  plain = true;
  /** Per segment: `CASE_*`. */
  private cases = new Uint8Array(16);
  /** Whether some segments are separated by more than one `/` in `source`. */
  private gaps = false;

  /** A scan of `raw`, for callers outside the request path (tests, tools). */
  static of(raw: string): PathScan {
    return new PathScan().load(raw);
  }

  /**
   * Reads a raw request path. Never throws.
   * @param seed the FNV-1a state `hashes` start from
   */
  load(raw: string, seed = FNV_BASIS): this {
    this.index = undefined;
    this.seed = seed;
    this.plain = this.scan(raw, true, seed);
    if (this.plain) {
      this.trailingSlash = this.count === 0 || raw.charCodeAt(raw.length - 1) === SLASH;
      const last = this.count - 1;
      if (!this.trailingSlash && this.ends[last] - this.starts[last] === 10 && this.equalsLower(last, 'index.html')) {
        this.index = this.segment(last);
        this.count = last;
        this.trailingSlash = true;
      }
      return this;
    }
    const canonical = canonicalPath(raw);
    this.scan('/' + canonical.segments.join('/'), false, seed);
    this.trailingSlash = canonical.trailingSlash;
    this.index = canonical.index;
    return this;
  }

  /**
   * Splits `s` into segments, one inner loop per segment. With `plainOnly`,
   * gives up (false) at the end of the first segment that has a character
   * needing work, or that is `.` or `..`; otherwise `s` is canonical already.
   * The arrays are sized for the whole path first, so the loop stores into
   * them without checking for room.
   */
  private scan(s: string, plainOnly: boolean, seed: number): boolean {
    this.source = s;
    const n = s.length;
    if (n >= 2 * this.starts.length) this.grow(n);
    const { starts, ends, cases, hashes, keyLengths } = this;
    const classes = CLASS;
    let gaps = false;
    let count = 0;
    let hash = seed | 0;
    let keyLength = 0;
    hashes[0] = hash;
    keyLengths[0] = 1;
    for (let i = 0; i < n; ) {
      let code = s.charCodeAt(i);
      if (code === SLASH) {
        i++;
        continue;
      }
      const start = i;
      if (count > 0) {
        hash = Math.imul(hash ^ SLASH, FNV_PRIME);
        if (start !== ends[count - 1] + 1) gaps = true;
      }
      let kind = 0;
      for (;;) {
        hash = Math.imul(hash ^ code, FNV_PRIME);
        kind |= classes[code & 127] | ((code + 0xff80) >> 16);
        if (++i === n) break;
        code = s.charCodeAt(i);
        if (code === SLASH) break;
      }
      const len = i - start;
      if (plainOnly && ((kind & NEEDS_WORK) !== 0 || (len <= 2 && s.charCodeAt(start) === DOT && (len === 1 || s.charCodeAt(start + 1) === DOT)))) return false;
      starts[count] = start;
      ends[count] = i;
      cases[count] = kind & ESCAPE ? CASE_ESCAPED : kind & UPPER ? CASE_UPPER : CASE_LOWER;
      count++;
      hashes[count] = hash;
      keyLength += 1 + len;
      keyLengths[count] = keyLength;
    }
    this.gaps = gaps;
    this.count = count;
    return true;
  }

  /** Makes room for the segments of a path of `n` characters (at most one per two characters, rounded up). */
  private grow(n: number): void {
    const size = (n >> 1) + 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const cases = new Uint8Array(size);
    const hashes = new Int32Array(size + 1);
    const keyLengths = new Int32Array(size + 1);
    hashes.set(this.hashes);
    keyLengths.set(this.keyLengths);
    this.hashes = hashes;
    this.keyLengths = keyLengths;
    starts.set(this.starts);
    ends.set(this.ends);
    cases.set(this.cases);
    this.starts = starts;
    this.ends = ends;
    this.cases = cases;
  }

  /** Segment `i`. */
  segment(i: number): string {
    return this.source.slice(this.starts[i], this.ends[i]);
  }

  /** Length of segment `i`. */
  length(i: number): number {
    return this.ends[i] - this.starts[i];
  }

  /** All segments, as `canonicalPath` gives them. */
  segments(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.segment(i));
    return out;
  }

  /** Segments from `from` to the last, joined by `/` (`''` when there are none). */
  join(from: number): string {
    if (from >= this.count) return '';
    if (!this.gaps) return this.source.slice(this.starts[from], this.ends[this.count - 1]);
    let out = this.segment(from);
    for (let i = from + 1; i < this.count; i++) out += '/' + this.segment(i);
    return out;
  }

  /** Segment `i` lower-cased, escapes' hex digits kept upper-case (`lowerSegment`). */
  lower(i: number): string {
    const seg = this.segment(i);
    const kind = this.cases[i];
    return kind === CASE_LOWER ? seg : kind === CASE_UPPER ? seg.toLowerCase() : lowerSegment(seg);
  }

  /** Whether segment `i`, lower-cased, is `word` (which is lower-case ASCII). */
  equalsLower(i: number, word: string): boolean {
    const start = this.starts[i];
    if (this.ends[i] - start !== word.length) return false;
    const s = this.source;
    for (let c = 0; c < word.length; c++) {
      let code = s.charCodeAt(start + c);
      if (code >= 65 && code <= 90) code |= 32;
      if (code !== word.charCodeAt(c)) return false;
    }
    return true;
  }
}
