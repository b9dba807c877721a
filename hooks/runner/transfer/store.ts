// Where a transfer keeps its progress. Every write is a compare-and-swap, so of two runners that
// loaded the same record only the first to write may go on acting on RocketMQ.
import type { TransferState } from '../../topictransfer/state.js';

export interface TransferStore {
  /** The record (absent before the first run) and the version a save must name. */
  load(): Promise<{ state?: TransferState; version: string }>;
  /** Writes the record if nothing changed it since `version`; returns the new version. */
  save(state: TransferState, version: string): Promise<string>;
}

/** Someone else wrote the record since it was read: this runner must stop. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
