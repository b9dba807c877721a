// RocketMQ admin client over the remoting protocol (Node built-ins only).
export { RocketMQAdmin, masterOf, parseNameServers } from './admin.js';
export type { AdminOptions, BulkWriteOptions, BulkWriteResult, NameServerResult } from './admin.js';
export { RemotingClient } from './client.js';
export type { CallOptions, ClientOptions } from './client.js';
export { RequestCode, ResponseCode, Perm, FIRST_V5_VERSION } from './codes.js';
export { RemotingError, RemotingResponseError, RemotingTimeoutError, RemotingConnectionError, RemotingFrameError, RemotingDecodeError } from './errors.js';
export { parseFastjson } from './fastjson.js';
export type { FastjsonValue, FastjsonObject, FastjsonMap } from './fastjson.js';
export { completeTopicConfig, topicConfigsEqual, subscriptionGroupsEqual, ALL_FIELDS, V4_FIELDS } from './topic-config.js';
export type { TopicConfigInput, StoredFields } from './topic-config.js';
export type * from './types.js';
