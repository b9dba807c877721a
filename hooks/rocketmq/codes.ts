/** Request codes of RocketMQ's remoting protocol (identical in 4.9.x and 5.x for the ones listed). */
export const RequestCode = {
  SEND_MESSAGE: 10,
  UPDATE_CONSUMER_OFFSET: 15,
  UPDATE_AND_CREATE_TOPIC: 17,
  /** 5.x only: a list of topic configs in one request, persisted once. */
  UPDATE_AND_CREATE_TOPIC_LIST: 18,
  GET_ALL_TOPIC_CONFIG: 21,
  UPDATE_BROKER_CONFIG: 25,
  GET_BROKER_CONFIG: 26,
  GET_BROKER_RUNTIME_INFO: 28,
  PUT_KV_CONFIG: 100,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: 200,
  GET_ALL_SUBSCRIPTIONGROUP_CONFIG: 201,
  GET_TOPIC_STATS_INFO: 202,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_SUBSCRIPTIONGROUP: 207,
  GET_CONSUME_STATS: 208,
  DELETE_TOPIC_IN_BROKER: 215,
  DELETE_TOPIC_IN_NAMESRV: 216,
  /** 5.x only: a list of subscription groups in one request. */
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST: 225,
  QUERY_TOPIC_CONSUME_BY_WHO: 300,
  ADD_WRITE_PERM_OF_BROKER: 327,
  /** 5.x only. */
  GET_TOPIC_CONFIG: 351,
  /** 5.x only. */
  GET_SUBSCRIPTIONGROUP_CONFIG: 352,
  /** 5.x controllers: elect a group's master, a designated broker when the request names one. */
  CONTROLLER_ELECT_MASTER: 1002,
  /** 5.x controllers: the controller's Raft group and its leader. */
  CONTROLLER_GET_METADATA_INFO: 1005,
  /** 5.x controllers: master and in-sync replicas of the named groups (a JSON list in the body). */
  CONTROLLER_GET_SYNC_STATE_DATA: 1006,
} as const;

/** Response codes a caller may want to react to. */
export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  SERVICE_NOT_AVAILABLE: 14,
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  SUBSCRIPTION_GROUP_NOT_EXIST: 26,
  /** 5.x only; 4.9.x answers SYSTEM_ERROR in the same situations. */
  INVALID_PARAMETER: 29,
  CONSUMER_NOT_ONLINE: 206,
  /** 5.x controllers: the request went to a controller that is not the Raft leader. */
  CONTROLLER_NOT_LEADER: 2007,
  /** 5.x controllers: the election kept the old master (the designated broker is not eligible). */
  CONTROLLER_MASTER_STILL_EXIST: 2011,
  CONTROLLER_ELECT_MASTER_FAILED: 2012,
  /** 5.x: the server is shutting down; retry on another connection. */
  GO_AWAY: 1500,
} as const;

/** Permission bits of topics and brokers. */
export const Perm = { INHERIT: 1, WRITE: 2, READ: 4, PRIORITY: 8 } as const;

/**
 * `version` sent in every request header: the ordinal of V5_3_3. Anything at or above V4_9_4 (401)
 * makes name servers answer routes in standard JSON; 4.9.x servers accept it too.
 */
export const CLIENT_VERSION = 479;

/** Ordinal of V5_0_0_SNAPSHOT: servers below it are 4.x (no topic `order`/attributes, fewer group fields). */
export const FIRST_V5_VERSION = 412;

/**
 * Ordinal of V4_9_4: from this release brokers re-read namesrvAddr while they run (every 2 minutes;
 * 5.x: updateNameServerAddrPeriod), so an updateBrokerConfig of it takes effect without a restart.
 * Older brokers read it only when they start.
 */
export const FIRST_NAMESRV_RELOAD_VERSION = 401;

/** Response bit of the header `flag`. */
export const FLAG_RESPONSE = 1;

/** Netty's frame limit on the server side, the default of `com.rocketmq.remoting.frameMaxLength`. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
