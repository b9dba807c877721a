// The client side of the failover tests, on RocketMQ's own Java client.
//
//   FailoverClient produce <namesrv> <topic> <intervalMs>
//     Sends "m-<seq>" synchronously every intervalMs until its stdin closes. One line per send, with
//     the epoch milliseconds when it started and returned:
//       OK <started> <ended> <seq> <msgId> <brokerName>   acknowledged (SEND_OK)
//       FAIL <started> <ended> <seq> <reason>             failed or not SEND_OK (not sent again)
//   FailoverClient consume <namesrv> <topic>
//     Reads every queue of the topic from its first to its last offset (as they are at start) and
//     prints "GOT <seq> <msgId>" for each message, then "DONE".
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class FailoverClient {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: FailoverClient produce <namesrv> <topic> <intervalMs> | consume <namesrv> <topic>");
            System.exit(2);
        }
        if (args[0].equals("produce")) produce(args[1], args[2], Long.parseLong(args[3]));
        else consume(args[1], args[2]);
        System.exit(0);
    }

    private static void produce(String nameServer, String topic, long intervalMs) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer("failover_test_producer");
        producer.setNamesrvAddr(nameServer);
        // A client setting, not the broker's: look up the route every second (default 30 s), so the
        // pause measured is the brokers' failover, not the client's route cache.
        producer.setPollNameServerInterval(1000);
        producer.setSendMsgTimeout(3000);
        producer.setRetryTimesWhenSendFailed(1);
        producer.start();
        Thread stdin = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // runs until the test closes stdin
                }
            } catch (Exception ignored) {
                // closed either way
            }
        });
        stdin.start();
        long seq = 0;
        while (stdin.isAlive()) {
            String body = "m-" + seq;
            String started = System.currentTimeMillis() + " ";
            try {
                SendResult result = producer.send(new Message(topic, "failover", body.getBytes(StandardCharsets.UTF_8)));
                if (result.getSendStatus() == SendStatus.SEND_OK) {
                    print("OK " + started + System.currentTimeMillis() + " " + seq + " " + result.getMsgId() + " " + result.getMessageQueue().getBrokerName());
                } else {
                    print("FAIL " + started + System.currentTimeMillis() + " " + seq + " " + result.getSendStatus());
                }
            } catch (Exception e) {
                print("FAIL " + started + System.currentTimeMillis() + " " + seq + " " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
            }
            seq++;
            Thread.sleep(intervalMs);
        }
        producer.shutdown();
    }

    private static void consume(String nameServer, String topic) throws Exception {
        DefaultMQPullConsumer consumer = new DefaultMQPullConsumer("failover_test_reader");
        consumer.setNamesrvAddr(nameServer);
        consumer.start();
        try {
            Set<MessageQueue> queues = consumer.fetchSubscribeMessageQueues(topic);
            for (MessageQueue queue : queues) {
                long offset = consumer.minOffset(queue);
                long end = consumer.maxOffset(queue);
                while (offset < end) {
                    PullResult result = consumer.pull(queue, "*", offset, 32);
                    if (result.getPullStatus() == PullStatus.FOUND) {
                        for (MessageExt message : result.getMsgFoundList()) {
                            String body = new String(message.getBody(), StandardCharsets.UTF_8);
                            print("GOT " + body.substring(2) + " " + message.getMsgId());
                        }
                    } else if (result.getNextBeginOffset() <= offset) {
                        throw new IllegalStateException(queue + " answered " + result.getPullStatus() + " at offset " + offset + " of " + end);
                    }
                    offset = result.getNextBeginOffset();
                }
            }
            print("DONE");
        } finally {
            consumer.shutdown();
        }
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ");
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
