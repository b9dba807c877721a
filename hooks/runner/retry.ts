// Bounded retries with exponential backoff for broker and name-server requests.
import { ResponseCode } from '../rocketmq/codes.js';
import { RemotingConnectionError, RemotingResponseError, RemotingTimeoutError } from '../rocketmq/errors.js';

export interface RetryPolicy {
  /** Tries in total, the first one included. */
  attempts: number;
  /** Wait before the second try; doubled for each further one. */
  backoffMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 4, backoffMs: 250 };

const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.GO_AWAY,
]);

/** Failures that may pass: the server was unreachable, slow, busy or shutting down. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RemotingConnectionError || error instanceof RemotingTimeoutError) return true;
  return error instanceof RemotingResponseError && TRANSIENT_CODES.has(error.code);
}

export class RetriesExhaustedError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'RetriesExhaustedError';
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` until it succeeds, fails for good, or runs out of attempts. */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy = defaultRetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.attempts) {
        throw new RetriesExhaustedError(`${(error as Error).message} (after ${attempt} attempts)`, attempt, { cause: error });
      }
      await sleep(policy.backoffMs * 2 ** (attempt - 1));
    }
  }
}
