/**
 * Two families of RocketMQ images exist. The original operator's images (apacherocketmq/rocketmq-*)
 * run as root, keep data under /root and start by themselves. The official images (apache/rocketmq
 * and builds like them) run as user 3000 with data under /home/rocketmq and need a start command.
 */
export interface ImageFlavor {
  /** The user's home in the image, where RocketMQ writes logs/ and store/. */
  dataRoot: string;
  runsAsRoot: boolean;
  /** Command that starts a name server, when the image does not start one by itself. */
  nameServerCommand?: string[];
}

const ORIGINAL_OPERATOR_IMAGE = /(^|\/)apacherocketmq\/rocketmq-(nameserver|broker|controller)(:|@|$)/;

export function imageFlavor(image: string): ImageFlavor {
  if (ORIGINAL_OPERATOR_IMAGE.test(image)) return { dataRoot: '/root', runsAsRoot: true };
  return {
    dataRoot: '/home/rocketmq',
    runsAsRoot: false,
    nameServerCommand: ['sh', '-c', 'exec sh "$ROCKETMQ_HOME/bin/mqnamesrv"'],
  };
}
