import { decodeFrame, encodeCommand, FrameFormatError, FrameReader, toExtFields } from '../../hooks/rocketmq/codec.js';

function frameWithoutLength(frame: Buffer): Buffer {
  return frame.subarray(4);
}

describe('encoding requests', () => {
  it('matches the documented bytes of GET_BROKER_CLUSTER_INFO', () => {
    const frame = encodeCommand({ code: 106, opaque: 1, flag: 0 });
    const header = '{"code":106,"flag":0,"language":"JAVA","opaque":1,"version":479}';
    expect(frame.subarray(0, 8)).toEqual(Buffer.from([0, 0, 0, 0x44, 0, 0, 0, 0x40]));
    expect(frame.subarray(8).toString()).toBe(header);
    expect(frame).toHaveLength(72);
  });

  it('sends custom header fields as strings and appends the body', () => {
    const body = Buffer.from('brokerPermission=6\n');
    const frame = encodeCommand({
      code: 25,
      opaque: 9,
      flag: 0,
      extFields: toExtFields({ topic: 't', perm: 6, order: false, skip: undefined }),
      body,
    });
    const decoded = decodeFrame(frameWithoutLength(frame));
    expect(decoded.extFields).toEqual({ topic: 't', perm: '6', order: 'false' });
    expect(decoded.body).toEqual(body);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
  });

  it('counts the header length in bytes, not characters', () => {
    const frame = encodeCommand({ code: 17, opaque: 2, flag: 0, extFields: { topic: 'täst-主题' } });
    expect(decodeFrame(frameWithoutLength(frame)).extFields?.topic).toBe('täst-主题');
  });
});

describe('decoding frames', () => {
  function jsonFrame(header: object, body?: Buffer, typeByte = 0): Buffer {
    const headerBytes = Buffer.from(JSON.stringify(header));
    const word = Buffer.alloc(4);
    word.writeUInt32BE(((typeByte << 24) | headerBytes.length) >>> 0);
    return Buffer.concat([word, headerBytes, body ?? Buffer.alloc(0)]);
  }

  it('reads a JSON response header and keeps the body', () => {
    const decoded = decodeFrame(
      jsonFrame({ code: 0, flag: 1, opaque: 7, language: 'JAVA', version: 479, extFields: { wipeTopicCount: '3' } }, Buffer.from('xyz')),
    );
    expect(decoded).toMatchObject({ code: 0, flag: 1, opaque: 7, extFields: { wipeTopicCount: '3' } });
    expect(decoded.body?.toString()).toBe('xyz');
  });

  it('takes the serialize type from the high byte and the length from the low 24 bits', () => {
    // Binary (ROCKETMQ) header: code, language, version, opaque, flag, remark, ext fields.
    const remark = Buffer.from('oops');
    const key = Buffer.from('k');
    const value = Buffer.from('v1');
    const ext = Buffer.alloc(2 + key.length + 4 + value.length);
    ext.writeUInt16BE(key.length, 0);
    key.copy(ext, 2);
    ext.writeInt32BE(value.length, 2 + key.length);
    value.copy(ext, 6 + key.length);
    const fixed = Buffer.alloc(17);
    fixed.writeInt16BE(17, 0);
    fixed.writeUInt8(9, 2); // GO
    fixed.writeInt16BE(479, 3);
    fixed.writeInt32BE(42, 5);
    fixed.writeInt32BE(1, 9);
    fixed.writeInt32BE(remark.length, 13);
    const extLength = Buffer.alloc(4);
    extLength.writeInt32BE(ext.length);
    const header = Buffer.concat([fixed, remark, extLength, ext]);
    const word = Buffer.alloc(4);
    word.writeUInt32BE(((1 << 24) | header.length) >>> 0);
    const decoded = decodeFrame(Buffer.concat([word, header, Buffer.from('body')]));
    expect(decoded).toMatchObject({ code: 17, language: 'GO', version: 479, opaque: 42, flag: 1, remark: 'oops', extFields: { k: 'v1' } });
    expect(decoded.body?.toString()).toBe('body');
  });

  it('rejects unknown serialize types, headers longer than the frame and unreadable JSON', () => {
    expect(() => decodeFrame(jsonFrame({ code: 0 }, undefined, 5))).toThrow(FrameFormatError);
    const truncated = jsonFrame({ code: 0, opaque: 1 }).subarray(0, 10);
    expect(() => decodeFrame(truncated)).toThrow(/exceeds the frame/);
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{x]')]);
    expect(() => decodeFrame(garbage)).toThrow(/unreadable JSON header/);
  });
});

describe('cutting a byte stream into frames', () => {
  const frames = [1, 2, 3].map((opaque) => encodeCommand({ code: 0, opaque, flag: 1, body: Buffer.alloc(opaque * 100, opaque) }));
  const stream = Buffer.concat(frames);

  it('assembles a frame delivered one byte at a time', () => {
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (const byte of frames[0]) out.push(...reader.push(Buffer.from([byte])));
    expect(out).toHaveLength(1);
    expect(decodeFrame(out[0]).opaque).toBe(1);
    expect(reader.pendingBytes).toBe(0);
  });

  it('splits several frames merged into one chunk, keeping a partial tail for later', () => {
    const reader = new FrameReader();
    const cut = frames[0].length + frames[1].length + 5;
    const first = reader.push(stream.subarray(0, cut));
    expect(first.map((f) => decodeFrame(f).opaque)).toEqual([1, 2]);
    expect(reader.pendingBytes).toBe(1); // 4 length bytes consumed, 1 byte of frame 3 held
    const second = reader.push(stream.subarray(cut));
    expect(second.map((f) => decodeFrame(f).opaque)).toEqual([3]);
    expect(decodeFrame(second[0]).body).toEqual(Buffer.alloc(300, 3));
  });

  it('handles every split point of the stream', () => {
    for (let cut = 1; cut < stream.length; cut += 7) {
      const reader = new FrameReader();
      const out = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(out.map((f) => decodeFrame(f).opaque)).toEqual([1, 2, 3]);
    }
  });

  it('rejects a frame larger than the limit before buffering it', () => {
    const reader = new FrameReader(1024);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(1025);
    expect(() => reader.push(length)).toThrow(/exceeds the limit of 1024 bytes/);
    const defaults = new FrameReader();
    length.writeUInt32BE(16 * 1024 * 1024 + 1);
    expect(() => defaults.push(length)).toThrow(FrameFormatError);
  });

  it('rejects a length too short to hold the header word', () => {
    expect(() => new FrameReader().push(Buffer.from([0, 0, 0, 2, 0, 0]))).toThrow(/shorter than its header word/);
  });
});
