// The transfer record kept in memory, with the same compare-and-swap rule as the Kubernetes store,
// and a hook to stop a runner right after a write (killed between persisting and acting).
import type { TransferState } from '../../../hooks/topictransfer/state.js';
import { ConflictError, type TransferStore } from '../../../hooks/runner/transfer/store.js';

/** Thrown by `afterSave` to end a run at that point, as if its process were killed. */
export class Killed extends Error {
  constructor() {
    super('runner killed');
    this.name = 'Killed';
  }
}

export class MemoryTransferStore implements TransferStore {
  private text?: string;
  private version = 0;
  /** Every record written, in order. */
  readonly history: TransferState[] = [];
  /** Runs after each write; may throw Killed. */
  afterSave?: (state: TransferState, writes: number) => void;

  get state(): TransferState | undefined {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as TransferState);
  }

  async load(): Promise<{ state?: TransferState; version: string }> {
    return { state: this.state, version: String(this.version) };
  }

  async save(state: TransferState, version: string): Promise<string> {
    if (version !== String(this.version)) throw new ConflictError(`version ${version} is stale, the record is at ${this.version}`);
    this.text = JSON.stringify(state);
    this.version++;
    this.history.push(JSON.parse(this.text) as TransferState);
    this.afterSave?.(this.state!, this.history.length);
    return String(this.version);
  }
}
