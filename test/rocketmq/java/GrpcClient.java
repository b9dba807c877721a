// Sends messages through a proxy's gRPC port with the RocketMQ 5 client and receives them back with
// a SimpleConsumer, so a test sees both directions work through the proxy.
// Usage: java -cp <rocketmq-client-java jar>:<classes> GrpcClient <endpoint> <topic> <group> <count> [send-only | <seconds>]
// Prints "SENT <messageId>" per message sent and "RECEIVED <messageId> <body>" per message received; exits 0
// once every sent message came back, 1 when they did not within the given seconds (60 by default).
// With a count of 0 it only starts a consumer, which is how a refused consumer is seen.
// With ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY set, the client signs its requests with that account.
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientConfigurationBuilder;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;

public class GrpcClient {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: GrpcClient <endpoint> <topic> <group> <count> [send-only | <seconds>]");
            System.exit(2);
        }
        String endpoint = args[0];
        String topic = args[1];
        String group = args[2];
        int count = Integer.parseInt(args[3]);
        ClientServiceProvider provider = ClientServiceProvider.loadService();
        ClientConfigurationBuilder builder = ClientConfiguration.newBuilder()
            .setEndpoints(endpoint)
            .enableSsl(false)
            .setRequestTimeout(Duration.ofSeconds(10));
        String accessKey = System.getenv("ROCKETMQ_ACCESS_KEY");
        if (accessKey != null) {
            builder.setCredentialProvider(new StaticSessionCredentialsProvider(accessKey, System.getenv("ROCKETMQ_SECRET_KEY")));
        }
        ClientConfiguration configuration = builder.build();

        Set<String> sent = new HashSet<>();
        if (count > 0) {
            try (Producer producer = provider.newProducerBuilder()
                    .setClientConfiguration(configuration)
                    .setTopics(topic)
                    .build()) {
                for (int i = 0; i < count; i++) {
                    SendReceipt receipt = producer.send(provider.newMessageBuilder()
                        .setTopic(topic)
                        .setTag("proxy-test")
                        .setBody(("message " + i).getBytes(StandardCharsets.UTF_8))
                        .build());
                    String id = receipt.getMessageId().toString();
                    sent.add(id);
                    System.out.println("SENT " + id);
                }
            }
        }
        String last = args.length > 4 ? args[4] : "60";
        if (last.equals("send-only")) {
            System.out.flush();
            System.exit(0);
        }

        Set<String> received = new HashSet<>();
        long deadline = System.currentTimeMillis() + Long.parseLong(last) * 1000;
        try (SimpleConsumer consumer = provider.newSimpleConsumerBuilder()
                .setClientConfiguration(configuration)
                .setConsumerGroup(group)
                .setAwaitDuration(Duration.ofSeconds(5))
                .setSubscriptionExpressions(Collections.singletonMap(topic, FilterExpression.SUB_ALL))
                .build()) {
            while (!received.containsAll(sent) && System.currentTimeMillis() < deadline) {
                List<MessageView> messages = consumer.receive(16, Duration.ofSeconds(30));
                for (MessageView message : messages) {
                    String id = message.getMessageId().toString();
                    String body = StandardCharsets.UTF_8.decode(message.getBody()).toString();
                    if (received.add(id)) System.out.println("RECEIVED " + id + " " + body);
                    consumer.ack(message);
                }
            }
        }
        System.out.flush();
        System.exit(received.containsAll(sent) ? 0 : 1);
    }
}
