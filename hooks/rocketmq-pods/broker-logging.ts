// The logging configuration of RocketMQ 4 brokers with ACL 1.0. Their ACL module (from 4.9.5)
// logs the whole content of every ACL file it loads, secret keys included, at INFO on the
// RocketmqCommon logger, which the image's configuration writes into broker.log. A 4.x broker reads
// its logging configuration from <rocketmqHome>/conf/logback_broker.xml, rocketmqHome being a
// broker.conf key it reads for nothing else (before 4.9.6 also to start filter servers, which no
// release with ACL ships); so these brokers are given a home of the operator's with a configuration
// that writes the same files and keeps RocketmqCommon to warnings.

/** The directory such a broker takes for its home when it reads its logging configuration. */
export const BROKER_LOGGING_HOME = '/etc/rocketmq/logging';
/** The broker ConfigMap key of the configuration, mounted at BROKER_LOGBACK_PATH. */
export const BROKER_LOGBACK_KEY = 'logback_broker.xml';
export const BROKER_LOGBACK_PATH = `${BROKER_LOGGING_HOME}/conf/${BROKER_LOGBACK_KEY}`;

type Level = 'INFO' | 'WARN';

/**
 * The files under logs/rocketmqlogs the image's configuration writes, each with the loggers that
 * write into it and their levels; loggers not named here go to broker_default.log.
 */
const LOG_FILES: Record<string, Record<string, Level>> = {
  broker: { RocketmqBroker: 'INFO', RocketmqCommon: 'WARN' },
  protection: { RocketmqProtection: 'INFO' },
  watermark: { RocketmqWaterMark: 'INFO' },
  store: { RocketmqStore: 'INFO' },
  storeerror: { RocketmqStoreError: 'INFO' },
  transaction: { RocketmqTransaction: 'INFO' },
  lock: { RocketmqRebalanceLock: 'INFO' },
  remoting: { RocketmqRemoting: 'INFO' },
  stats: { RocketmqStats: 'INFO' },
  commercial: { RocketmqCommercial: 'INFO' },
  filter: { RocketmqFilter: 'INFO' },
  broker_default: {},
};

/** Where the broker's start puts the files (brokerLogDir is set by the broker, empty unless isolateLogEnable). */
const LOG_DIR = '${user.home}/logs/rocketmqlogs';
const PATTERN = '%d{yyyy-MM-dd HH:mm:ss.SSS} %p %t - %m%n';
const ENCODER = `<encoder><pattern>${PATTERN}</pattern><charset>UTF-8</charset></encoder>`;

/** A file that rolls at 128 MB into ten compressed ones under otherdays/, written from a queue, as the image's are. */
function fileAppender(file: string): string[] {
  return [
    `<appender name="${file}-file" class="ch.qos.logback.core.rolling.RollingFileAppender">`,
    `  <file>${LOG_DIR}/\${brokerLogDir}/${file}.log</file>`,
    '  <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">',
    `    <fileNamePattern>${LOG_DIR}/otherdays/\${brokerLogDir}/${file}.%i.log.gz</fileNamePattern>`,
    '    <maxIndex>10</maxIndex>',
    '  </rollingPolicy>',
    '  <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy"><maxFileSize>128MB</maxFileSize></triggeringPolicy>',
    `  ${ENCODER}`,
    '</appender>',
    `<appender name="${file}" class="ch.qos.logback.classic.AsyncAppender"><appender-ref ref="${file}-file"/></appender>`,
  ];
}

function logger(name: string, level: Level, appender: string): string {
  return `<logger name="${name}" level="${level}" additivity="false"><appender-ref ref="${appender}"/></logger>`;
}

function brokerLogback(): string {
  const lines = [
    '<configuration>',
    ...Object.keys(LOG_FILES).flatMap(fileAppender),
    // mqbroker -p and -m print the configuration through RocketmqConsole.
    `<appender name="stdout" class="ch.qos.logback.core.ConsoleAppender">${ENCODER}</appender>`,
    ...Object.entries(LOG_FILES).flatMap(([file, loggers]) => Object.entries(loggers).map(([name, level]) => logger(name, level, file))),
    logger('RocketmqConsole', 'INFO', 'stdout'),
    '<root level="INFO"><appender-ref ref="broker_default"/></root>',
    '</configuration>',
  ];
  return `${lines.join('\n')}\n`;
}

/** The logback configuration RocketMQ 4 brokers with ACL 1.0 read, for the broker ConfigMap. */
export const BROKER_LOGBACK = brokerLogback();
