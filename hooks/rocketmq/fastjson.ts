// A tolerant reader for the JSON that RocketMQ writes with fastjson. Besides standard JSON it
// accepts any value in key position, because fastjson writes non-string map keys as themselves:
//   {"brokerAddrs":{0:"127.0.0.1:10911"}}                      (numeric keys, unquoted)
//   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{...}}}   (object keys)
// Objects whose keys are all strings become plain objects (like JSON.parse); an object with any
// other key becomes a Map, whose entries keep the decoded keys (numbers, objects, ...).
import { RemotingDecodeError } from './errors.js';

export type FastjsonValue = null | boolean | number | string | FastjsonValue[] | FastjsonObject | FastjsonMap;
export interface FastjsonObject {
  [key: string]: FastjsonValue;
}
export type FastjsonMap = Map<FastjsonValue, FastjsonValue>;

const MAX_DEPTH = 256;

/** Parses a fastjson body; standard JSON takes the fast native path. */
export function parseFastjson(text: string): FastjsonValue {
  try {
    return JSON.parse(text) as FastjsonValue;
  } catch {
    return new TolerantReader(text).readDocument();
  }
}

export function parseFastjsonBuffer(body: Buffer | undefined): FastjsonValue {
  if (!body || body.length === 0) throw new RemotingDecodeError('expected a JSON body, got none');
  return parseFastjson(body.toString('utf8'));
}

class TolerantReader {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  readDocument(): FastjsonValue {
    const value = this.readValue();
    this.skipSpace();
    if (this.at < this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private readValue(): FastjsonValue {
    this.skipSpace();
    const c = this.text[this.at];
    switch (c) {
      case '{':
        return this.nested(() => this.readObject());
      case '[':
        return this.nested(() => this.readArray());
      case '"':
      case "'":
        return this.readString(c);
      case 't':
        return this.readLiteral('true', true);
      case 'f':
        return this.readLiteral('false', false);
      case 'n':
        return this.readLiteral('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.readNumber();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private nested<T>(read: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const value = read();
    this.depth--;
    return value;
  }

  private readObject(): FastjsonObject | FastjsonMap {
    this.at++; // {
    const entries: Array<[FastjsonValue, FastjsonValue]> = [];
    let onlyStringKeys = true;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return {};
    }
    for (;;) {
      const key = this.readValue();
      if (typeof key !== 'string') onlyStringKeys = false;
      this.skipSpace();
      this.expect(':');
      entries.push([key, this.readValue()]);
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === '}') break;
      if (c !== ',') this.fail(`expected ',' or '}' in object`, this.at - 1);
    }
    if (!onlyStringKeys) return new Map(entries);
    const object: FastjsonObject = {};
    for (const [key, value] of entries) {
      // Assigning "__proto__" would replace the prototype instead of adding a key.
      if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      else object[key as string] = value;
    }
    return object;
  }

  private readArray(): FastjsonValue[] {
    this.at++; // [
    const items: FastjsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.readValue());
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === ']') return items;
      if (c !== ',') this.fail(`expected ',' or ']' in array`, this.at - 1);
    }
  }

  private readString(quote: string): string {
    this.at++;
    let out = '';
    let start = this.at;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail('unterminated string');
      if (c === quote) {
        out += this.text.slice(start, this.at);
        this.at++;
        return out;
      }
      if (c === '\\') {
        out += this.text.slice(start, this.at);
        out += this.readEscape();
        start = this.at;
        continue;
      }
      this.at++;
    }
  }

  private readEscape(): string {
    const c = this.text[this.at + 1];
    this.at += 2;
    switch (c) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape', this.at - 2);
        this.at += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case undefined:
        return this.fail('unterminated string');
      default:
        return c; // \" \\ \/ \' and anything else stand for themselves
    }
  }

  private readNumber(): number {
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 64));
    if (!match) return this.fail('malformed number');
    this.at += match[0].length;
    return Number(match[0]);
  }

  private readLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail(`unexpected token`);
    this.at += word.length;
    return value;
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  private skipSpace(): void {
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private fail(message: string, at = this.at): never {
    const excerpt = this.text.slice(Math.max(0, at - 20), at + 20);
    throw new RemotingDecodeError(`fastjson body: ${message} at offset ${at} (near ${JSON.stringify(excerpt)})`);
  }
}

/** Iterates the entries of a decoded map, whichever form the reader chose for it. */
export function mapEntries(value: FastjsonValue | undefined): Array<[FastjsonValue, FastjsonValue]> {
  if (value === undefined || value === null) return [];
  if (value instanceof Map) return [...value.entries()];
  if (typeof value === 'object' && !Array.isArray(value)) return Object.entries(value);
  throw new RemotingDecodeError(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
}
