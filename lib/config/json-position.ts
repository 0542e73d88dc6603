/**
 * Where JSON text first goes wrong, for messages that name a line and column
 * (Node's JSON.parse does not always say). Only called after JSON.parse failed.
 */

/** Offset of the first syntax error in `text`, or -1 if it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  const scanner = new JsonScanner(text);
  try {
    scanner.value();
    scanner.ws();
    return scanner.pos < text.length ? scanner.pos : -1;
  } catch (offset) {
    return offset as number;
  }
}

/** Reads JSON text from `pos` on, one production at a time; throws the offset where the text first goes wrong. */
class JsonScanner {
  pos = 0;

  constructor(private readonly text: string) {}

  /** Skips whitespace. */
  ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  value(): void {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.number();
  }

  private fail(): never {
    throw this.pos;
  }

  private object(): void {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
      this.value();
      if (this.endOfList('}')) return;
    }
  }

  private array(): void {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value();
      if (this.endOfList(']')) return;
    }
  }

  /** After a member or element: a comma (false: another follows) or the closing bracket `close` (true). */
  private endOfList(close: string): boolean {
    this.ws();
    if (this.text[this.pos] === ',') {
      this.pos++;
      return false;
    }
    if (this.text[this.pos] === close) {
      this.pos++;
      return true;
    }
    return this.fail();
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
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail();
    this.pos += (m as RegExpExecArray)[0].length;
  }
}
