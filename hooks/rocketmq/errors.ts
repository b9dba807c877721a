/** Base of every error raised by the remoting client; `address` is the server's host:port. */
export class RemotingError extends Error {
  constructor(
    message: string,
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemotingError';
  }
}

/** The server answered with a non-zero code. */
export class RemotingResponseError extends RemotingError {
  constructor(
    readonly requestCode: number,
    readonly code: number,
    readonly remark: string | undefined,
    address: string,
  ) {
    super(`request ${requestCode} to ${address} failed with code ${code}${remark ? `: ${remark.trim()}` : ''}`, address);
    this.name = 'RemotingResponseError';
  }
}

/** No reply within the request's time limit; the request may still have been applied. */
export class RemotingTimeoutError extends RemotingError {
  constructor(
    readonly requestCode: number,
    readonly timeoutMs: number,
    address: string,
  ) {
    super(`request ${requestCode} to ${address} got no reply within ${timeoutMs} ms`, address);
    this.name = 'RemotingTimeoutError';
  }
}

/** Connecting failed, or the connection closed before the reply arrived. */
export class RemotingConnectionError extends RemotingError {
  constructor(
    message: string,
    address: string,
    readonly requestCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, address, options);
    this.name = 'RemotingConnectionError';
  }
}

/** A frame broke the protocol (too large, inconsistent lengths, unreadable header). */
export class RemotingFrameError extends RemotingError {
  constructor(message: string, address: string) {
    super(message, address);
    this.name = 'RemotingFrameError';
  }
}

/** A response body could not be read. */
export class RemotingDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemotingDecodeError';
  }
}
