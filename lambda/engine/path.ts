/**
 * A request path as the engine reads it at request time: canonical segments
 * held as ranges of one string, so that deciding a request builds no array
 * and no string per segment.
 *
 * `load` gives exactly `canonicalPath`'s segments, trailing slash and index
 * (test/lambda/engine/safety.property.test.ts checks this for arbitrary paths). The common
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
/**
 * Per character code, bits: NEEDS_WORK (encoding), UPPER (an upper-case
 * letter), ESCAPE (`%`); every non-ASCII code needs work. An entry for every
 * code a string can hold (see docs/performance.md, convention
 * "Full-range table").
 */
const CLASS = new Uint8Array(65536).fill(NEEDS_WORK);
for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@") CLASS[ch.charCodeAt(0)] = 0;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER;
CLASS[PERCENT] = NEEDS_WORK | ESCAPE;

/** What lower-casing a segment takes: nothing, `toLowerCase`, or `lowerSegment` (escapes keep upper-case hex). */
const CASE_LOWER = 0;
const CASE_UPPER = 1;
const CASE_ESCAPED = 2;

/** Fields of the record `PathScan.at` holds per depth (`RECORD` words each). */
const RECORD = 5;
const HASH = 0;
const KEY_LENGTH = 1;
const START = 2;
const END = 3;
const CASE = 4;

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
  /**
   * One record of `RECORD` words per depth d (0 to `count`): the FNV-1a of
   * the key `host + '/' + the first d segments joined by '/'` (continued
   * from the `seed` given to `load`, the hash of `host + '/'`, so the bulk
   * index needs no second pass over the path); the length of that key's
   * path part; and segment d's start and end (exclusive) in `source` and its
   * `CASE_*`. Read through `hash`, `keyLength`, `start` and `end`. One array
   * of records, not one per field (see docs/performance.md, convention
   * "One record array").
   */
  private at = new Int32Array(RECORD * 17);
  /** The seed the hashes were computed from. */
  seed = FNV_BASIS;
  /** Whether the raw path was read as it is: only `/` and characters that stand for themselves, no dot segments (`source` is the raw path). */
  plain = true;
  /** Whether some segments are separated by more than one `/` in `source`. */
  private gaps = false;

  /** A scan of `raw`, for callers outside the request path (tests, tools). */
  static of(raw: string): PathScan {
    return new PathScan().load(raw);
  }

  /** FNV-1a of the key of depth `d` (see `at`). */
  hash(d: number): number {
    return this.at[RECORD * d + HASH];
  }

  /** Length of the path part of the key of depth `d`: `'/' + the first d segments joined by '/'`. */
  keyLength(d: number): number {
    return this.at[RECORD * d + KEY_LENGTH];
  }

  /** Start of segment `i` in `source`. */
  start(i: number): number {
    return this.at[RECORD * i + START];
  }

  /** End (exclusive) of segment `i` in `source`. */
  end(i: number): number {
    return this.at[RECORD * i + END];
  }

  /**
   * Reads a raw request path. Never throws.
   * @param seed the FNV-1a state the hashes start from
   */
  load(raw: string, seed = FNV_BASIS): this {
    this.index = undefined;
    this.seed = seed;
    const plain = this.scan(raw, true, seed) === true;
    this.plain = plain;
    if (plain) {
      const trailingSlash = this.count === 0 || raw.charCodeAt(raw.length - 1) === SLASH;
      this.trailingSlash = trailingSlash;
      const last = this.count - 1;
      if (!trailingSlash && this.length(last) === 10 && this.equalsLower(last, 'index.html') === true) {
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
   * The record array is sized for the whole path first: a typed array drops
   * stores past its end.
   */
  private scan(s: string, plainOnly: boolean, seed: number): boolean {
    this.source = s;
    const n = s.length;
    const size = RECORD * ((n >> 1) + 2); // at most one segment per two characters, and depth 0
    if (size > this.at.length) this.at = new Int32Array(size);
    const { at } = this;
    const classes = CLASS;
    let gaps = false;
    let count = 0;
    let hash = seed | 0;
    let keyLength = 1;
    let lastEnd = -1;
    at[HASH] = hash;
    at[KEY_LENGTH] = 1;
    for (let i = 0; i < n;) {
      let code = s.charCodeAt(i);
      if (code === SLASH) {
        i++;
        continue;
      }
      const start = i;
      if (count > 0) {
        hash = Math.imul(hash ^ SLASH, FNV_PRIME);
        if (start !== lastEnd + 1) gaps = true;
        keyLength++;
      }
      let kind = 0;
      for (;;) {
        hash = Math.imul(hash ^ code, FNV_PRIME);
        kind |= classes[code];
        if (++i === n) break;
        code = s.charCodeAt(i);
        if (code === SLASH) break;
      }
      const len = i - start;
      if (
        plainOnly === true &&
        ((kind & NEEDS_WORK) !== 0 || (len <= 2 && s.charCodeAt(start) === DOT && (len === 1 || s.charCodeAt(start + 1) === DOT)))
      )
        return false;
      keyLength += len;
      lastEnd = i;
      const r = RECORD * count;
      at[r + START] = start;
      at[r + END] = i;
      at[r + CASE] = kind & ESCAPE ? CASE_ESCAPED : kind & UPPER ? CASE_UPPER : CASE_LOWER;
      at[r + RECORD + HASH] = hash;
      at[r + RECORD + KEY_LENGTH] = keyLength;
      count++;
    }
    this.gaps = gaps;
    this.count = count;
    return true;
  }

  /** Segment `i`. */
  segment(i: number): string {
    return this.source.slice(this.start(i), this.end(i));
  }

  /** Length of segment `i`. */
  length(i: number): number {
    return this.end(i) - this.start(i);
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
    if (this.gaps === false) return this.source.slice(this.start(from), this.end(this.count - 1));
    let out = this.segment(from);
    for (let i = from + 1; i < this.count; i++) out += '/' + this.segment(i);
    return out;
  }

  /** Segment `i` lower-cased, escapes' hex digits kept upper-case (`lowerSegment`). */
  lower(i: number): string {
    return this.lowerOf(i, this.segment(i));
  }

  /**
   * `segment`, the text of segment `i`, lower-cased as `lower` gives it
   * (without slicing the segment again); a segment the scan saw no
   * upper-case letter or escape in is returned as it is (see
   * docs/performance.md, convention "Common form first").
   */
  lowerOf(i: number, segment: string): string {
    const kind = this.at[RECORD * i + CASE];
    return kind === CASE_LOWER ? segment : kind === CASE_UPPER ? segment.toLowerCase() : lowerSegment(segment);
  }

  /** Whether segment `i`, lower-cased, is `word` (which is lower-case ASCII). */
  equalsLower(i: number, word: string): boolean {
    const start = this.start(i);
    if (this.end(i) - start !== word.length) return false;
    const s = this.source;
    for (let c = 0; c < word.length; c++) {
      let code = s.charCodeAt(start + c);
      if (code >= 65 && code <= 90) code |= 32;
      if (code !== word.charCodeAt(c)) return false;
    }
    return true;
  }
}
