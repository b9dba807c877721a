// Sends test messages with RocketMQ's own Java client, so the tests can create real lag.
// Usage: java -cp <classes>:<lib>/* TestProducer <namesrv> <topic> <count> [brokerName]
// Prints one line per message: "SENT <brokerName> <queueId> <queueOffset>".
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

public class TestProducer {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TestProducer <namesrv> <topic> <count> [brokerName]");
            System.exit(2);
        }
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        String brokerName = args.length > 3 ? args[3] : null;

        DefaultMQProducer producer = new DefaultMQProducer("test_harness_producer");
        producer.setNamesrvAddr(args[0]);
        producer.setSendMsgTimeout(10000);
        producer.setRetryTimesWhenSendFailed(4);
        producer.start();
        int exitCode = 0;
        try {
            List<MessageQueue> queues = new ArrayList<>();
            if (brokerName != null) {
                for (MessageQueue queue : producer.fetchPublishMessageQueues(topic)) {
                    if (queue.getBrokerName().equals(brokerName)) queues.add(queue);
                }
                if (queues.isEmpty()) throw new IllegalStateException("broker " + brokerName + " has no writable queue of " + topic);
            }
            for (int i = 0; i < count; i++) {
                Message message = new Message(topic, "test", ("message " + i).getBytes(StandardCharsets.UTF_8));
                SendResult result = queues.isEmpty() ? producer.send(message) : producer.send(message, queues.get(i % queues.size()));
                if (result.getSendStatus() != SendStatus.SEND_OK) exitCode = 1;
                MessageQueue queue = result.getMessageQueue();
                System.out.println("SENT " + queue.getBrokerName() + " " + queue.getQueueId() + " " + result.getQueueOffset());
            }
        } finally {
            producer.shutdown();
        }
        System.exit(exitCode);
    }
}
