import { DEFAULT_SETTINGS, type KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects, type HookRequest, type SyncResponse } from '../core/metacontroller.js';
import { readParent } from '../core/parent.js';
import { MissingDependencyError } from '../core/errors.js';
import { checkChildName } from '../k8s/names.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import { prune } from '../k8s/prune.js';
import type { TopicTransferSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { renderRunnerAccess, renderRunnerJob, runnerJobName, type TransferParent } from './render.js';
import { mayNeedRollback, readTransferState } from './state.js';
import { transferStatus } from './status.js';

const validateSpec = compileSpecValidator<TopicTransferSpec>('TopicTransfer');

function readTransfer(request: HookRequest, finalizing = false) {
  const parent = readParent(request, 'TopicTransfer', validateSpec);
  checkChildName('TopicTransfer', parent.name, 'Job', runnerJobName(parent.name, 'transfer'));
  checkChildName('TopicTransfer', parent.name, 'Job', runnerJobName(parent.name, 'rollback'));
  const children = new ObservedObjects(request.children);
  const jobs = {
    transfer: children.get('Job', 'batch/v1', runnerJobName(parent.name, 'transfer')),
    rollback: children.get('Job', 'batch/v1', runnerJobName(parent.name, 'rollback')),
  };
  let nameServers: string | undefined;
  try {
    nameServers = resolveNameServers({ kind: 'TopicTransfer', ...parent }, new ObservedObjects(request.related));
  } catch (error) {
    // While the whole namespace goes away the NameService may go first; a rollback Job that already
    // exists keeps its own copy of the list.
    if (!(finalizing && error instanceof MissingDependencyError)) throw error;
  }
  return { parent: parent as TransferParent & typeof parent, jobs, nameServers, state: readTransferState(parent.annotations) };
}

/** No pod of the Job is running or stopping, so another runner may act. */
function jobIsIdle(job: { status?: { active?: number; terminating?: number } } | undefined): boolean {
  return !job || ((job.status?.active ?? 0) === 0 && (job.status?.terminating ?? 0) === 0);
}

export const topicTransferHooks: KindHooks = {
  kind: 'TopicTransfer',

  customize(parent) {
    const spec = (parent.spec ?? {}) as TopicTransferSpec;
    return nameServiceRules(parent.metadata.namespace ?? 'default', spec);
  },

  sync(request, now, settings = DEFAULT_SETTINGS): SyncResponse {
    const { parent, jobs, nameServers, state } = readTransfer(request);
    const job = renderRunnerJob(parent, 'transfer', nameServers!, settings.runnerImage, { suspend: false, observed: jobs.transfer });
    return {
      status: prune(transferStatus(state, jobs.transfer, parent.status, now)),
      children: [...renderRunnerAccess(parent), job],
    };
  },

  /**
   * Deleting a transfer that is part-way rolls it back first: the transfer Job is suspended, and once
   * its pods are gone a rollback Job restores the source. Finished transfers are released at once.
   */
  finalize(request, now, settings = DEFAULT_SETTINGS): SyncResponse {
    const { parent, jobs, nameServers, state } = readTransfer(request, true);
    const status = prune(transferStatus(state, jobs.rollback ?? jobs.transfer, parent.status, now));
    if (!mayNeedRollback(state)) return { status, children: [], finalized: true };
    if (nameServers === undefined && !jobs.rollback) {
      return { status: { ...status, message: 'the name servers are gone, so there is nothing left to roll back against' }, children: [], finalized: true };
    }
    const children = [...renderRunnerAccess(parent)];
    if (jobs.transfer) {
      children.push(renderRunnerJob(parent, 'transfer', nameServers ?? '', settings.runnerImage, { suspend: true, observed: jobs.transfer }));
    }
    if (jobIsIdle(jobs.transfer as never)) {
      children.push(renderRunnerJob(parent, 'rollback', nameServers ?? '', settings.runnerImage, { suspend: false, observed: jobs.rollback }));
    }
    return { status, children, finalized: false, resyncAfterSeconds: 10 };
  },
};
