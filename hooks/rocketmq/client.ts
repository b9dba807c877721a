// Keeps one connection per server address and turns non-zero response codes into errors.
import { toExtFields, type ExtFieldValue, type RemotingCommand } from './codec.js';
import { ResponseCode } from './codes.js';
import { RemotingConnection, type ConnectionOptions } from './connection.js';
import { RemotingResponseError } from './errors.js';
import { signedExtFields, type Credentials } from './signature.js';

export interface ClientOptions extends ConnectionOptions {
  /** Default time limit of one request, connecting included. */
  timeoutMs?: number;
  /** The account every request is signed with, for servers that authenticate requests. */
  credentials?: Credentials;
}

export interface CallOptions {
  extFields?: Record<string, ExtFieldValue>;
  body?: Buffer | string;
  timeoutMs?: number;
  /** Response codes besides SUCCESS that the caller handles itself. */
  accept?: readonly number[];
}

export class RemotingClient {
  private readonly connections = new Map<string, RemotingConnection>();
  private readonly versions = new Map<string, number>();
  readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Sends one request; a reply with an unexpected code throws RemotingResponseError. */
  async call(address: string, code: number, options: CallOptions = {}): Promise<RemotingCommand> {
    const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
    const fields = options.extFields ? toExtFields(options.extFields) : undefined;
    const { credentials } = this.options;
    const extFields = credentials ? signedExtFields(fields ?? {}, body, credentials) : fields;
    const reply = await this.connection(address).invoke({ code, extFields, body }, options.timeoutMs ?? this.timeoutMs);
    if (reply.version !== undefined) this.versions.set(address, reply.version);
    if (reply.code !== ResponseCode.SUCCESS && !options.accept?.includes(reply.code)) {
      throw new RemotingResponseError(code, reply.code, reply.remark, address);
    }
    return reply;
  }

  /**
   * The server's RocketMQ version ordinal (MQVersion.Version), from the header of its last reply:
   * servers stamp replies with their own version. Undefined before the first reply.
   */
  serverVersion(address: string): number | undefined {
    return this.versions.get(address);
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private connection(address: string): RemotingConnection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = new RemotingConnection(address, this.options);
      this.connections.set(address, connection);
    }
    return connection;
  }
}
