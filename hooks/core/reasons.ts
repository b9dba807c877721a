// Every reason a condition of ours can give, in one catalogue: `kubectl get` shows the Ready
// condition's reason as STATUS, so these are what users and alerts match on. Each error code is a
// reason too: a refusal held in status reports its code.
import { ErrorCode } from './errors.js';

export const Reason = {
  ...ErrorCode,
  /** The resource carries the pause annotation. */
  Paused: 'Paused',
  AllReplicasReady: 'AllReplicasReady',
  ReplicasNotReady: 'ReplicasNotReady',
  AllBrokersReady: 'AllBrokersReady',
  BrokersNotReady: 'BrokersNotReady',
  /** A pod the kubelet cannot start: a Secret or ConfigMap it reads, or a key in one, is missing. */
  PodConfigError: 'PodConfigError',
  /** Brokers in controller mode name a Controller (spec.controllerRef) that does not exist yet. */
  ControllerNotFound: 'ControllerNotFound',
  Creating: 'Creating',
  Updating: 'Updating',
  Scaling: 'Scaling',
  RollingUpdate: 'RollingUpdate',
  /** Controller mode: a group's master role moves to an in-sync replica before the master restarts. */
  HandingOver: 'HandingOver',
  PodsStarting: 'PodsStarting',
  RestartHeld: 'RestartHeld',
  UpToDate: 'UpToDate',
  AsExpected: 'AsExpected',
  ScaleDownRefused: 'ScaleDownRefused',
  /** A runner Job sends running brokers a new name-server list. */
  NameServerUpdate: 'NameServerUpdate',
  /** The last Job that sent the name-server list failed; another follows after a backoff. */
  NameServerUpdateFailed: 'NameServerUpdateFailed',
  /** Claims made from a StatefulSet's older claim template ask for less storage than the spec. */
  ClaimsSmallerThanSpec: 'ClaimsSmallerThanSpec',
} as const;

export type Reason = (typeof Reason)[keyof typeof Reason];
