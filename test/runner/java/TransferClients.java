// A producer and a consumer that keep working while a topic is transferred, printing what they did
// so the test can check that every acknowledged message was delivered.
//   produce <namesrv> <topic> <count> <intervalMs> <prefix>
//     sends "<prefix>-<i>" for i < count, retrying each until a broker stores it; prints "SENT <id> <broker>"
//   consume <namesrv> <topic> <group>
//     prints "READY" once started and "RECV <id> <broker>" per delivery; runs until killed (SIGTERM
//     shuts it down cleanly, committing its offsets)
// Both refresh routes every second (the default is 30 s) so tests need not wait long for them, and
// both sign their requests with the account in ROCKETMQ_ACCESS_KEY / ROCKETMQ_SECRET_KEY when set.
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.RPCHook;

public class TransferClients {
    private static final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        if (args.length >= 6 && args[0].equals("produce")) {
            produce(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]), args[5]);
        } else if (args.length >= 4 && args[0].equals("consume")) {
            consume(args[1], args[2], args[3]);
        } else {
            System.err.println("usage: TransferClients produce <namesrv> <topic> <count> <intervalMs> <prefix> | consume <namesrv> <topic> <group>");
            System.exit(2);
        }
    }

    /** Signs with the account from the environment, or nothing (null) for brokers without ACL. */
    private static RPCHook signer() {
        String accessKey = System.getenv("ROCKETMQ_ACCESS_KEY");
        String secretKey = System.getenv("ROCKETMQ_SECRET_KEY");
        if (accessKey == null || secretKey == null) return null;
        return new AclClientRPCHook(new SessionCredentials(accessKey, secretKey));
    }

    private static void produce(String namesrv, String topic, int count, long intervalMs, String prefix) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer("transfer-test-producer", signer());
        producer.setNamesrvAddr(namesrv);
        producer.setInstanceName(prefix);
        producer.setPollNameServerInterval(1000);
        producer.setSendMsgTimeout(3000);
        producer.setRetryTimesWhenSendFailed(3);
        producer.start();
        try {
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                Message message = new Message(topic, "transfer", id.getBytes(StandardCharsets.UTF_8));
                long giveUp = System.currentTimeMillis() + 120_000;
                for (;;) {
                    try {
                        SendResult result = producer.send(message);
                        out.println("SENT " + id + " " + result.getMessageQueue().getBrokerName());
                        break;
                    } catch (Exception e) {
                        if (System.currentTimeMillis() > giveUp) throw e;
                        out.println("RETRY " + id + " " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0]);
                        Thread.sleep(200);
                    }
                }
                if (intervalMs > 0) Thread.sleep(intervalMs);
            }
        } finally {
            producer.shutdown();
        }
        out.println("DONE");
        System.exit(0);
    }

    private static void consume(String namesrv, String topic, String group) throws Exception {
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group, signer());
        consumer.setNamesrvAddr(namesrv);
        consumer.setInstanceName(group + "-" + ProcessHandle.current().pid());
        consumer.setPollNameServerInterval(1000);
        consumer.setHeartbeatBrokerInterval(1000);
        consumer.setPersistConsumerOffsetInterval(1000);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setConsumeThreadMin(2);
        consumer.setConsumeThreadMax(2);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            String broker = context.getMessageQueue().getBrokerName();
            for (MessageExt message : messages) {
                out.println("RECV " + new String(message.getBody(), StandardCharsets.UTF_8) + " " + broker);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(consumer::shutdown));
        consumer.start();
        out.println("READY");
        Thread.currentThread().join();
    }
}
