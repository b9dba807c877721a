/** An error that becomes a non-200 reply, so Metacontroller changes nothing and reports the message. */
export class HookError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'HookError';
  }
}

/** The parent's spec breaks the schema; `details` lists each failing field. */
export class InvalidSpecError extends HookError {
  constructor(kind: string, name: string, details: string[]) {
    super(422, `${kind} ${name} is invalid: ${details.join('; ')}`, details);
    this.name = 'InvalidSpecError';
  }
}

/** Something the parent depends on (a NameService, a ConfigMap) is missing; retry once it exists. */
export class MissingDependencyError extends HookError {
  constructor(message: string) {
    super(424, message);
    this.name = 'MissingDependencyError';
  }
}
