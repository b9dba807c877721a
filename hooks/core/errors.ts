// Every way a hook request can fail, each with a stable code. The code is the `error` field of the
// reply, the `reason` label of the error metric, and the reason of a condition that reports it.

export const ErrorCode = {
  /** The request is not a hook request: malformed JSON, a missing parent, observed objects of the wrong shape. */
  BadRequest: 'BadRequest',
  /** No hooks exist for the kind in the URL. */
  UnknownKind: 'UnknownKind',
  /** No such route. */
  NotFound: 'NotFound',
  /** The body is larger than the service accepts. */
  PayloadTooLarge: 'PayloadTooLarge',
  /** The URL is longer than the service accepts. */
  URITooLong: 'URITooLong',
  /** The request line and headers together are larger than Node reads (16 KiB): a very long URL ends here. */
  HeadersTooLarge: 'HeadersTooLarge',
  /** The parent's spec or name breaks a rule; the details name each field and the fix. */
  InvalidSpec: 'InvalidSpec',
  /** Something the parent depends on (a NameService, a ConfigMap) is missing; retried once it exists. */
  MissingDependency: 'MissingDependency',
  /** A bug in the hooks: nothing the client sent explains it. */
  InternalError: 'InternalError',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error that becomes a non-200 reply, so Metacontroller changes nothing and reports the message. */
export class HookError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = code;
  }
}

/** The request itself is malformed (400). */
export class BadRequestError extends HookError {
  constructor(message: string, details?: string[]) {
    super(400, ErrorCode.BadRequest, message, details);
  }
}

/**
 * The parent breaks a rule; `details` lists each failing field with what is allowed (422).
 * `bySchema` says the CRD's own schema refuses it, so the API server never stores such a parent.
 */
export class InvalidSpecError extends HookError {
  constructor(
    kind: string,
    name: string,
    details: string[],
    readonly bySchema = false,
  ) {
    super(422, ErrorCode.InvalidSpec, `${kind} ${name} is invalid: ${details.join('; ')}`, details);
  }
}

/** Something the parent depends on is missing; retry once it exists (424). */
export class MissingDependencyError extends HookError {
  constructor(message: string) {
    super(424, ErrorCode.MissingDependency, message);
  }
}

/** No hooks for the kind named in the URL (404). */
export class UnknownKindError extends HookError {
  constructor(kind: string, known: string[]) {
    super(404, ErrorCode.UnknownKind, `unknown kind "${kind.slice(0, 64)}": hooks exist for ${known.join(', ')}`);
  }
}
