// Frames of the remoting protocol:
//   int32 length (excludes itself) | int32 (serialize type << 24 | header length) | header | body
import { CLIENT_VERSION, DEFAULT_MAX_FRAME_BYTES, FLAG_RESPONSE } from './codes.js';

export interface RemotingCommand {
  code: number;
  opaque: number;
  flag: number;
  language?: string;
  version?: number;
  remark?: string;
  /** Custom header fields; every value travels as a string. */
  extFields?: Record<string, string>;
  body?: Buffer;
}

export type ExtFieldValue = string | number | boolean | bigint | undefined | null;

/** Raised for bytes that cannot be a frame; the connection that read them is unusable afterwards. */
export class FrameFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameFormatError';
  }
}

const SERIALIZE_JSON = 0;
const SERIALIZE_ROCKETMQ = 1;
const LANGUAGES = ['JAVA', 'CPP', 'DOTNET', 'PYTHON', 'DELPHI', 'ERLANG', 'RUBY', 'OTHER', 'HTTP', 'GO', 'PHP', 'OMS', 'RUST', 'NODE_JS'];

/** Drops undefined/null values and turns the rest into strings, as the server expects. */
export function toExtFields(fields: Record<string, ExtFieldValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & FLAG_RESPONSE) === FLAG_RESPONSE;
}

/** Encodes a request with a JSON header. `JAVA` is the language every server version knows. */
export function encodeCommand(command: RemotingCommand): Buffer {
  const header: Record<string, unknown> = {
    code: command.code,
    flag: command.flag,
    language: command.language ?? 'JAVA',
    opaque: command.opaque,
    version: command.version ?? CLIENT_VERSION,
  };
  if (command.remark !== undefined) header.remark = command.remark;
  if (command.extFields && Object.keys(command.extFields).length > 0) header.extFields = command.extFields;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const bodyLength = command.body?.length ?? 0;
  const frame = Buffer.allocUnsafe(8 + headerBytes.length + bodyLength);
  frame.writeUInt32BE(4 + headerBytes.length + bodyLength, 0);
  frame.writeUInt32BE(((SERIALIZE_JSON << 24) | headerBytes.length) >>> 0, 4);
  headerBytes.copy(frame, 8);
  if (command.body) command.body.copy(frame, 8 + headerBytes.length);
  return frame;
}

/** Decodes one frame without its leading length word. */
export function decodeFrame(frame: Buffer): RemotingCommand {
  if (frame.length < 4) throw new FrameFormatError(`frame of ${frame.length} bytes has no header length`);
  const word = frame.readUInt32BE(0);
  const serializeType = word >>> 24;
  const headerLength = word & 0xffffff;
  if (4 + headerLength > frame.length) {
    throw new FrameFormatError(`header length ${headerLength} exceeds the frame (${frame.length - 4} bytes left)`);
  }
  const headerBytes = frame.subarray(4, 4 + headerLength);
  let command: RemotingCommand;
  if (serializeType === SERIALIZE_JSON) command = decodeJsonHeader(headerBytes);
  else if (serializeType === SERIALIZE_ROCKETMQ) command = decodeBinaryHeader(headerBytes);
  else throw new FrameFormatError(`unknown serialize type ${serializeType}`);
  if (frame.length > 4 + headerLength) command.body = frame.subarray(4 + headerLength);
  return command;
}

function decodeJsonHeader(bytes: Buffer): RemotingCommand {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new FrameFormatError(`unreadable JSON header: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.code !== 'number') {
    throw new FrameFormatError('JSON header without a numeric code');
  }
  const command: RemotingCommand = {
    code: parsed.code,
    opaque: typeof parsed.opaque === 'number' ? parsed.opaque : 0,
    flag: typeof parsed.flag === 'number' ? parsed.flag : 0,
  };
  if (typeof parsed.language === 'string') command.language = parsed.language;
  if (typeof parsed.version === 'number') command.version = parsed.version;
  if (typeof parsed.remark === 'string') command.remark = parsed.remark;
  if (parsed.extFields && typeof parsed.extFields === 'object') {
    command.extFields = toExtFields(parsed.extFields as Record<string, ExtFieldValue>);
  }
  return command;
}

// The ROCKETMQ binary header: short code, byte language, short version, int opaque, int flag,
// int-length remark, int-length ext fields made of (short-length key, int-length value) pairs.
function decodeBinaryHeader(bytes: Buffer): RemotingCommand {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new FrameFormatError('binary header is truncated');
  };
  need(21);
  const code = bytes.readInt16BE(0);
  const languageCode = bytes.readUInt8(2);
  const version = bytes.readInt16BE(3);
  const opaque = bytes.readInt32BE(5);
  const flag = bytes.readInt32BE(9);
  const remarkLength = bytes.readInt32BE(13);
  at = 17;
  const command: RemotingCommand = { code, opaque, flag, version, language: LANGUAGES[languageCode] ?? 'OTHER' };
  if (remarkLength > 0) {
    need(remarkLength);
    command.remark = bytes.toString('utf8', at, at + remarkLength);
    at += remarkLength;
  }
  need(4);
  const extLength = bytes.readInt32BE(at);
  at += 4;
  if (extLength > 0) {
    const end = at + extLength;
    if (end > bytes.length) throw new FrameFormatError('binary header ext fields are truncated');
    const ext: Record<string, string> = {};
    while (at < end) {
      need(2);
      const keyLength = bytes.readUInt16BE(at);
      at += 2;
      need(keyLength + 4);
      const key = bytes.toString('utf8', at, at + keyLength);
      at += keyLength;
      const valueLength = bytes.readInt32BE(at);
      at += 4;
      need(valueLength);
      ext[key] = bytes.toString('utf8', at, at + valueLength);
      at += valueLength;
    }
    command.extFields = ext;
  }
  return command;
}

/**
 * Cuts a byte stream into frames. TCP may split a frame over many chunks or carry several frames
 * in one, so bytes are kept until a whole frame is there; chunks are joined once per frame.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Returns the complete frames (without their length word) that this chunk finished. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const length = this.take(4).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          throw new FrameFormatError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`);
        }
        if (length < 4) throw new FrameFormatError(`frame length ${length} is shorter than its header word`);
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** Bytes held for an unfinished frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0];
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.buffered -= n;
    return out;
  }
}
