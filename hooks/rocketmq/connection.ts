// One TCP connection to a name server or broker. Requests are matched to replies by `opaque`,
// so many can be in flight and replies may come back in any order.
import net from 'node:net';
import { decodeFrame, encodeCommand, FrameFormatError, FrameReader, isResponse, type RemotingCommand } from './codec.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codes.js';
import { RemotingConnectionError, RemotingFrameError, RemotingTimeoutError } from './errors.js';

export interface ConnectionOptions {
  connectTimeoutMs?: number;
  maxFrameBytes?: number;
}

export interface Request {
  code: number;
  extFields?: Record<string, string>;
  body?: Buffer;
  remark?: string;
}

interface Pending {
  code: number;
  resolve: (reply: RemotingCommand) => void;
  reject: (error: Error) => void;
}

/** A socket and the requests waiting on it; replaced as a whole when the socket goes away. */
interface Link {
  socket: net.Socket;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  closed: boolean;
}

export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RemotingConnectionError(`invalid address ${JSON.stringify(address)}, expected host:port`, address);
  }
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
}

export class RemotingConnection {
  private link: Link | undefined;
  private nextOpaque = 1;
  private readonly connectTimeoutMs: number;
  private readonly maxFrameBytes: number;

  constructor(
    readonly address: string,
    options: ConnectionOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /**
   * Sends a request and resolves with the reply, whatever its code. A request written to a
   * connection that was already open and then closes without replying is sent once more on a
   * new connection: servers drop idle connections (120 s), and every admin request is a
   * replace-or-read, so repeating it is harmless.
   */
  async invoke(request: Request, timeoutMs: number): Promise<RemotingCommand> {
    const deadline = Date.now() + timeoutMs;
    const reused = this.link !== undefined && !this.link.closed;
    try {
      return await this.send(request, timeoutMs, deadline);
    } catch (error) {
      if (!reused || !(error instanceof RemotingConnectionError) || Date.now() >= deadline) throw error;
      return this.send(request, timeoutMs, deadline);
    }
  }

  /** Closes the socket; requests still waiting fail with a connection error. */
  close(): void {
    this.link?.socket.destroy();
  }

  private async send(request: Request, timeoutMs: number, deadline: number): Promise<RemotingCommand> {
    const opaque = this.takeOpaque();
    const frame = encodeCommand({
      code: request.code,
      opaque,
      flag: 0,
      extFields: request.extFields,
      body: request.body,
      remark: request.remark,
    });
    if (frame.length - 4 > this.maxFrameBytes) {
      // The server would drop the connection on it; split the request instead.
      throw new RemotingFrameError(
        `request ${request.code} of ${frame.length} bytes exceeds the frame limit of ${this.maxFrameBytes} bytes`,
        this.address,
      );
    }
    const link = this.currentLink();
    return new Promise<RemotingCommand>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          link.pending.delete(opaque);
          this.updateRef(link);
          reject(new RemotingTimeoutError(request.code, timeoutMs, this.address));
        },
        Math.max(0, deadline - Date.now()),
      );
      link.pending.set(opaque, {
        code: request.code,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      link.socket.ref();
      link.ready.then(
        () => {
          if (!link.pending.has(opaque)) return; // timed out while connecting
          link.socket.write(frame);
        },
        () => undefined, // the close handler rejects every pending request
      );
    });
  }

  private takeOpaque(): number {
    const opaque = this.nextOpaque;
    this.nextOpaque = opaque >= 0x7fffffff ? 1 : opaque + 1;
    return opaque;
  }

  private currentLink(): Link {
    if (this.link && !this.link.closed) return this.link;
    const { host, port } = splitAddress(this.address);
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const reader = new FrameReader(this.maxFrameBytes);
    let failure: Error | undefined;
    const link: Link = {
      socket,
      pending: new Map(),
      closed: false,
      ready: new Promise<void>((resolve, reject) => {
        const connectTimer = setTimeout(() => {
          failure = new RemotingConnectionError(`connecting to ${this.address} timed out after ${this.connectTimeoutMs} ms`, this.address);
          socket.destroy();
        }, this.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(connectTimer);
          resolve();
        });
        socket.once('close', () => {
          clearTimeout(connectTimer);
          reject(failure ?? new RemotingConnectionError(`connection to ${this.address} closed`, this.address));
        });
      }),
    };
    link.ready.catch(() => undefined);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.dispatch(link, decodeFrame(frame));
      } catch (error) {
        const message = error instanceof FrameFormatError ? error.message : String(error);
        failure = new RemotingFrameError(`bad frame from ${this.address}: ${message}`, this.address);
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= new RemotingConnectionError(
        `connection to ${this.address} failed: ${error.code ?? error.message}`,
        this.address,
        undefined,
        {
          cause: error,
        },
      );
    });
    socket.on('close', () => {
      link.closed = true;
      if (this.link === link) this.link = undefined;
      for (const [opaque, pending] of link.pending) {
        link.pending.delete(opaque);
        const error =
          failure ??
          new RemotingConnectionError(
            `connection to ${this.address} closed before the reply to request ${pending.code}`,
            this.address,
            pending.code,
          );
        pending.reject(error);
      }
    });
    this.link = link;
    return link;
  }

  private dispatch(link: Link, command: RemotingCommand): void {
    // Frames without the response bit are requests from the server (consumer callbacks); an admin
    // client never registers for those, so they are dropped like unmatched replies.
    if (!isResponse(command)) return;
    const pending = link.pending.get(command.opaque);
    if (!pending) return; // the request already timed out
    link.pending.delete(command.opaque);
    this.updateRef(link);
    pending.resolve(command);
  }

  /** An idle connection must not keep the process alive. */
  private updateRef(link: Link): void {
    if (link.pending.size === 0) link.socket.unref();
  }
}
