/**
 * Where JSON text goes wrong, for messages that name a line and column
 * (Node's JSON.parse does not always say, and keeps the last of two equal
 * keys without a word). One pass over the text, with an explicit stack
 * instead of recursion, so any depth of nesting is scanned.
 */

/** A key given twice in the same object: JSON.parse keeps only the last. */
export interface DuplicateKey {
  readonly key: string;
  /** Field path of the object holding it (`regions`, `sites.in.hostnames[0]`); '' for the top level. */
  readonly path: string;
  /** Offset of the first occurrence's opening quote. */
  readonly first: number;
  /** Offset of the second (or later) occurrence's opening quote. */
  readonly offset: number;
}

export interface JsonScan {
  /** Offset of the first syntax error, or -1 when the text is valid JSON (as far as the scan went). */
  readonly error: number;
  /** Offset of the first `[` or `{` nested deeper than the depth allowed, or -1; the scan stops there. */
  readonly tooDeep: number;
  /** Keys given twice in one object, in text order (before any error or depth limit). */
  readonly duplicates: readonly DuplicateKey[];
}

/** Offset of the first syntax error in `text`, or -1 if it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  return scanJson(text).error;
}

/**
 * Scans JSON text: its first syntax error, the first bracket nested more
 * than `maxDepth` levels deep, and the keys each object gives twice.
 */
export function scanJson(text: string, maxDepth = Infinity): JsonScan {
  const scanner = new JsonScanner(text, maxDepth);
  let error = -1;
  try {
    scanner.run();
  } catch (offset) {
    if (typeof offset !== 'number') throw offset;
    error = offset;
  }
  return { error, tooDeep: scanner.tooDeep, duplicates: scanner.duplicates };
}

/** An open object or array. */
interface Frame {
  readonly close: '}' | ']';
  /** Field path of this container. */
  readonly path: string;
  /** Of an object: each key seen → offset of its first occurrence. */
  readonly keys?: Map<string, number>;
  /** Of an object: the current member's key; of an array: the current element's index. */
  member: string | number;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Reads JSON text from the start, one token at a time; throws the offset where the text first goes wrong. */
class JsonScanner {
  pos = 0;
  tooDeep = -1;
  readonly duplicates: DuplicateKey[] = [];
  private readonly stack: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): void {
    // Each turn reads one value: a scalar, or the opening of a container (whose members the next turns read).
    for (;;) {
      this.ws();
      const c = this.text[this.pos];
      if (c === '{' || c === '[') {
        if (this.stack.length >= this.maxDepth) {
          this.tooDeep = this.pos;
          return;
        }
        const path = this.childPath();
        this.pos++;
        this.ws();
        if (c === '{') {
          this.stack.push({ close: '}', path, keys: new Map(), member: '' });
          if (this.text[this.pos] !== '}') {
            this.key();
            continue;
          }
        } else {
          this.stack.push({ close: ']', path, member: 0 });
          if (this.text[this.pos] !== ']') continue;
        }
        this.pos++;
        this.stack.pop();
      } else {
        this.scalar(c);
      }
      if (!this.afterValue()) break;
    }
    this.ws();
    if (this.pos < this.text.length) this.fail();
  }

  /** Skips whitespace. */
  private ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  private fail(): never {
    throw this.pos;
  }

  private scalar(c: string | undefined): void {
    if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.number();
  }

  /**
   * After a value: closes every container that ends here and moves past the
   * comma before the next member. Returns whether another value follows
   * (false: the top-level value is complete).
   */
  private afterValue(): boolean {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return false;
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        if (top.keys) {
          this.ws();
          this.key();
        } else {
          top.member = (top.member as number) + 1;
        }
        return true;
      }
      if (c !== top.close) this.fail();
      this.pos++;
      this.stack.pop();
    }
  }

  /** A member's key and its colon, in the object on top of the stack; notes a key given before. */
  private key(): void {
    const top = this.stack[this.stack.length - 1];
    const start = this.pos;
    this.string();
    const key = JSON.parse(this.text.slice(start, this.pos)) as string;
    const first = top.keys!.get(key);
    if (first === undefined) top.keys!.set(key, start);
    else this.duplicates.push({ key, path: top.path, first, offset: start });
    top.member = key;
    this.ws();
    if (this.text[this.pos] !== ':') this.fail();
    this.pos++;
  }

  /** Field path of the value about to be read: the current member of the container on top. */
  private childPath(): string {
    const top = this.stack[this.stack.length - 1];
    if (!top) return '';
    if (typeof top.member === 'number') return `${top.path}[${top.member}]`;
    return top.path ? `${top.path}.${top.member}` : top.member;
  }

  private string(): void {
    const { text } = this;
    if (text[this.pos] !== '"') this.fail();
    this.pos++;
    while (this.pos < text.length && text[this.pos] !== '"') {
      if (text.charCodeAt(this.pos) < 0x20) this.fail();
      if (text[this.pos] === '\\') this.escape();
      this.pos++;
    }
    if (this.pos >= text.length) this.fail();
    this.pos++;
  }

  /** At a backslash in a string: moves to the last character of the escape, which must be valid. */
  private escape(): void {
    const { text } = this;
    this.pos++;
    if (text[this.pos] === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.pos + 1, this.pos + 5))) this.fail();
      this.pos += 4;
    } else if (!'"\\/bfnrt'.includes(text[this.pos] ?? 'x')) this.fail();
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.pos)) this.pos += word.length;
    else this.fail();
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail();
    this.pos += m[0].length;
  }
}
