// The transfer as a state machine over its persisted record: every change of phase or step is
// written (compare-and-swap) BEFORE the work it announces, so a runner killed at any point is
// followed by one that knows where to go on, and two runners can never both act.
import type { TopicTransferCommand } from '../../jobs/runner-command.js';
import { mayNeedRollback, type TransferState } from '../../topictransfer/state.js';
import { stepNumber, stepRecord } from '../../topictransfer/steps.js';
import type { TransferAdmin } from './admin.js';
import { locate } from './brokers.js';
import { DEFAULT_TIMING, type RunContext, type TransferTiming } from './context.js';
import { planTransfer } from './plan.js';
import type { RemovalLog } from './route.js';
import { rollBack, STEPS, type TransferStep } from './step-actions.js';
import { DeadlineExceeded } from './steps.js';
import { ConflictError, type TransferStore } from './store.js';

export interface TransferDeps {
  admin: TransferAdmin;
  store: TransferStore;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  timing?: Partial<TransferTiming>;
}

/** What the machine needs of the runner's command (the record's place is the store's business). */
export type TransferRun = Pick<TopicTransferCommand, 'task' | 'topic' | 'source' | 'target' | 'consumeTimeoutSeconds'>;

/** Writing the record failed: stop touching RocketMQ; a new run resumes from the record. */
export class StoreFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreFailure';
  }
}

const mustStop = (error: unknown) => error instanceof ConflictError || error instanceof StoreFailure;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs (or resumes) the transfer or its rollback; returns the record as last written. */
export async function runTransfer(deps: TransferDeps, run: TransferRun): Promise<TransferState | undefined> {
  const { state, version } = await deps.store.load();
  return new TransferMachine(deps, run, state, version).go();
}

class TransferMachine {
  private readonly timing: TransferTiming;

  constructor(
    private readonly deps: TransferDeps,
    private readonly run: TransferRun,
    private state: TransferState | undefined,
    private version: string,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
  }

  async go(): Promise<TransferState | undefined> {
    const state = this.state;
    if (this.run.task === 'rollback') {
      if (!mayNeedRollback(state)) {
        this.log(`nothing to roll back (${state ? `phase ${state.phase}` : 'the transfer never started'})`);
        return state;
      }
      await this.rollBack(state!.rollback?.reason ?? 'the TopicTransfer was deleted before the transfer finished');
      return this.state;
    }
    if (state?.phase === 'Succeeded' || state?.phase === 'RolledBack') {
      this.log(`the transfer already ended: ${state.phase}`);
      return state;
    }
    if (state?.rollback) {
      await this.rollBack(state.rollback.reason);
      return this.state;
    }
    if (!state?.saved && !(await this.plan())) return this.state;
    for (const step of STEPS) {
      if (stepRecord(this.current.steps, step.id)?.phase === 'Succeeded') continue;
      if (!(await this.runStep(step))) return this.state;
    }
    const { topic, source, target } = this.run;
    await this.persist((s) => {
      s.phase = 'Succeeded';
      s.message = `moved ${topic} from ${source} to ${target}`;
    });
    return this.state;
  }

  private get current(): TransferState {
    return this.state!;
  }

  private async plan(): Promise<boolean> {
    try {
      const saved = await planTransfer(this.deps.admin, this.run, this.deps.clock());
      await this.persist((s) => {
        Object.assign(s, {
          phase: 'Running',
          step: 0,
          steps: [],
          saved,
          message: `saved the original state of ${this.run.topic}; starting`,
        });
      });
      return true;
    } catch (error) {
      if (mustStop(error)) throw error;
      this.log(`cannot start: ${messageOf(error)}`);
      // Nothing changed in RocketMQ yet: record why, and plan afresh on the next run.
      await this.persist((s) => {
        Object.assign(s, { phase: 'Failed', step: 0, steps: [], message: `cannot start: ${messageOf(error)}` });
        delete s.saved;
      });
      return false;
    }
  }

  /** A step's record sits at its position in the list, as `step` (its number) says. */
  private async runStep({ id, title: name, run }: TransferStep): Promise<boolean> {
    const step = stepNumber(id);
    await this.persist((s) => {
      s.phase = 'Running';
      s.step = step;
      s.message = `step ${step}: ${name}`;
      // A resumed step keeps its first start: the deadline of the wait for consumers counts from it.
      s.steps[step - 1] = { step, name, phase: 'Running', startTime: stepRecord(s.steps, id)?.startTime ?? this.now() };
    });
    this.log(`step ${step}: ${name}`);
    let failure: unknown;
    for (let attempt = 1; attempt <= this.timing.attempts; attempt++) {
      try {
        const message = await run(await this.context());
        this.log(`step ${step} done: ${message}`);
        await this.persist((s) => {
          s.steps[step - 1] = { ...s.steps[step - 1], phase: 'Succeeded', endTime: this.now(), message };
          s.message = message;
        });
        return true;
      } catch (error) {
        if (mustStop(error)) throw error;
        failure = error;
        this.log(`step ${step} attempt ${attempt} failed: ${messageOf(error)}`);
        if (error instanceof DeadlineExceeded) break;
        if (attempt < this.timing.attempts) await this.deps.sleep(this.timing.retryDelayMs);
      }
    }
    const message = messageOf(failure);
    await this.rollBack(`step ${step} (${name}) failed: ${message}`, (s) => {
      s.steps[step - 1] = { ...s.steps[step - 1], phase: 'Failed', endTime: this.now(), message };
    });
    return false;
  }

  private async rollBack(reason: string, alsoRecord?: (s: TransferState) => void): Promise<void> {
    await this.persist((s) => {
      alsoRecord?.(s);
      s.phase = 'RollingBack';
      s.message = `rolling back: ${reason}`;
      if (s.rollback) {
        s.rollback = { ...s.rollback, kept: [] };
        delete s.rollback.error;
      } else {
        s.rollback = { reason, fromStep: s.step, startTime: this.now(), undone: [], kept: [] };
        // From here on the removal log holds the rollback's own removals.
        if (s.removals) s.rollback.unfinishedRemovals = s.removals;
        delete s.removals;
      }
    });
    this.log(`rolling back from step ${this.current.rollback!.fromStep}: ${reason}`);
    let failure: unknown;
    for (let attempt = 1; attempt <= this.timing.attempts; attempt++) {
      const record = { ...this.current.rollback!, undone: [...this.current.rollback!.undone], kept: [] };
      try {
        const persist = () => this.persist((s) => void (s.rollback = structuredClone(record)));
        await rollBack({ ...(await this.context()), record, persist });
        const kept = record.kept.length > 0 ? `; left on the target: ${record.kept.join('; ')}` : '';
        await this.persist((s) => {
          s.phase = 'RolledBack';
          s.message = `rolled back: ${reason}${kept}`;
          s.rollback = { ...record, endTime: this.now() };
          s.steps = s.steps.map((r) => (r.phase === 'Failed' ? r : { ...r, phase: 'RolledBack' }));
        });
        this.log(this.current.message!);
        return;
      } catch (error) {
        if (mustStop(error)) throw error;
        failure = error;
        this.log(`rollback attempt ${attempt} failed: ${messageOf(error)}`);
        if (attempt < this.timing.attempts) await this.deps.sleep(this.timing.retryDelayMs);
      }
    }
    const message = messageOf(failure);
    await this.persist((s) => {
      s.phase = 'Failed';
      s.rollback = { ...s.rollback!, error: message };
      const done = s.rollback.undone.length > 0 ? s.rollback.undone.join('; ') : 'nothing';
      s.message = `the rollback could not finish (${message}); undone so far: ${done}; a later rollback run retries the rest`;
    });
    this.log(this.current.message!);
  }

  /** Fresh cluster info and broker addresses for each attempt: brokers may have moved. */
  private async context(): Promise<RunContext> {
    const saved = this.current.saved!;
    const info = await this.deps.admin.clusterInfo();
    return {
      admin: this.deps.admin,
      topic: this.run.topic,
      saved,
      info,
      source: locate(info, saved.sourceBrokers),
      target: locate(info, saved.targetBrokers),
      removals: this.removalLog(),
      clock: this.deps.clock,
      sleep: this.deps.sleep,
      timing: this.timing,
      consumeTimeoutMs: this.run.consumeTimeoutSeconds * 1000,
      steps: this.current.steps,
      note: (message) => this.persist((s) => void (s.message = message)),
    };
  }

  private removalLog(): RemovalLog {
    return {
      pending: (topic) => this.current.removals?.[topic],
      start: (topic, removal) => this.persist((s) => void (s.removals = { ...s.removals, [topic]: removal })),
      done: async (topic) => {
        if (!this.current.removals?.[topic]) return;
        await this.persist((s) => {
          delete s.removals![topic];
          if (Object.keys(s.removals!).length === 0) delete s.removals;
        });
      },
    };
  }

  /** Writes a changed copy of the record; only once the store took it does it become current. */
  private async persist(change: (s: TransferState) => void): Promise<void> {
    const next: TransferState = structuredClone(this.state ?? { phase: 'Pending', step: 0, steps: [] });
    change(next);
    next.revision = (next.revision ?? 0) + 1;
    try {
      this.version = await this.deps.store.save(next, this.version);
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      throw new StoreFailure(`could not write the transfer record: ${messageOf(error)}`, { cause: error });
    }
    this.state = next;
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  private log(line: string): void {
    this.deps.log?.(line);
  }
}
