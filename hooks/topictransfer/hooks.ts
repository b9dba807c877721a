import type { V1Job } from '@kubernetes/client-node';
import { DEFAULT_SETTINGS, type KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects, type HookRequest, type SyncResponse } from '../core/metacontroller.js';
import { MissingDependencyError } from '../core/errors.js';
import { namespaceAdminSecret, namespaceBrokersRule } from '../rocketmq-pods/namespace-acl.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import { prune } from '../k8s/prune.js';
import { renderRunnerAccess, renderTransferJob, runnerJobName, type TransferParent } from './render.js';
import { mayNeedRollback, readTransferState } from './state.js';
import { transferStatus } from './status.js';
import { readTopicTransfer, validateTransferSpec } from './validate.js';

function readTransfer(request: HookRequest, finalizing = false) {
  const parent = readTopicTransfer(request);
  const children = new ObservedObjects(request.children);
  const jobs = {
    transfer: children.get('Job', 'batch/v1', runnerJobName(parent.name, 'transfer')),
    rollback: children.get('Job', 'batch/v1', runnerJobName(parent.name, 'rollback')),
  };
  const related = new ObservedObjects(request.related);
  let nameServers: string | undefined;
  try {
    nameServers = resolveNameServers({ kind: 'TopicTransfer', ...parent }, related);
  } catch (error) {
    // While the whole namespace goes away the NameService may go first; a rollback Job that already
    // exists keeps its own copy of the list.
    if (!(finalizing && error instanceof MissingDependencyError)) throw error;
  }
  const adminSecret = namespaceAdminSecret({ kind: 'TopicTransfer', name: parent.name, namespace: parent.namespace }, related);
  const transferParent = { ...parent, adminSecret } as TransferParent & typeof parent;
  return { parent: transferParent, jobs, nameServers, state: readTransferState(parent.annotations) };
}

/** No pod of the Job is running or stopping, so another runner may act. */
function jobIsIdle(job: V1Job | undefined): boolean {
  return !job || ((job.status?.active ?? 0) === 0 && (job.status?.terminating ?? 0) === 0);
}

export const topicTransferHooks: KindHooks = {
  kind: 'TopicTransfer',

  customize(parent) {
    const namespace = parent.metadata.namespace ?? 'default';
    // The Brokers tell whether the runner must sign its requests, and with which account.
    return [...nameServiceRules(namespace, validateTransferSpec(parent.metadata.name, parent.spec)), namespaceBrokersRule(namespace)];
  },

  sync(request, now, settings = DEFAULT_SETTINGS): SyncResponse {
    const { parent, jobs, nameServers, state } = readTransfer(request);
    const job = renderTransferJob(parent, 'transfer', nameServers!, settings.runnerImage, { suspend: false, observed: jobs.transfer });
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
      return {
        status: { ...status, message: 'the name servers are gone, so there is nothing left to roll back against' },
        children: [],
        finalized: true,
      };
    }
    const children = [...renderRunnerAccess(parent)];
    if (jobs.transfer) {
      children.push(
        renderTransferJob(parent, 'transfer', nameServers ?? '', settings.runnerImage, { suspend: true, observed: jobs.transfer }),
      );
    }
    if (jobIsIdle(jobs.transfer)) {
      children.push(
        renderTransferJob(parent, 'rollback', nameServers ?? '', settings.runnerImage, { suspend: false, observed: jobs.rollback }),
      );
    }
    return { status, children, finalized: false, resyncAfterSeconds: 10 };
  },
};
