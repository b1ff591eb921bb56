package org.balance.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.balance.balancing.Destination;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.balance.support.SessionEnding;
import org.balance.support.SessionEnding.ClientFinFirst;
import org.balance.support.SessionEnding.HalfCloseBeforeServerIsUp;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing is lost, whichever way a session ends, on every transport: each case checks every byte both ways by
 * SHA-256 and offset, and the channel's sent/rcvd counters to the byte. {@code scripts/integrity-soak} runs the
 * same cases in a loop with 256 MiB each.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RelayIntegrityIT {
    private static final long MIB = 1L << 20;

    static List<Transport> transports() {
        List<Transport> all = new ArrayList<>();
        String only = System.getProperty("balance.test.transports", String.join(",", Transport.NAMES));
        for (String name : only.split(",")) {
            Transport t = Transport.named(name);
            if (t.name().equals(name)) {
                all.add(t);
            }
        }
        return all;
    }

    static Stream<Arguments> everyEndingOnEveryTransport() {
        return transports().stream().flatMap(t -> SessionEnding.all(32 * MIB).stream().map(e -> Arguments.of(t, e)));
    }

    private static void run(Transport transport, SessionEnding ending, int sessions) throws Exception {
        try (Backend server = new Backend("server", ending.server());
             InProcessBalance balance = InProcessBalance.start(transport, List.of(), server.channel())) {
            ending.run(balance.port, counters(balance.channel(0, 0)), sessions);
        }
    }

    private static SessionEnding.ChannelCounters counters(Destination d) {
        return () -> new long[] {d.bytesSent(), d.bytesReceived(), d.currentConnections()};
    }

    /** Issue 8's loss: 256 MiB, client half-closes after its last byte, reads the echo slowly. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void slowReaderAfterHalfClose256MiB(Transport transport) throws Exception {
        run(transport, new ClientFinFirst(256 * MIB), 3);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyEndingOnEveryTransport")
    void everyWayASessionEnds(Transport transport, SessionEnding ending) throws Exception {
        run(transport, ending, ending instanceof HalfCloseBeforeServerIsUp ? 20 : 1);
    }

    /** The manual's chain, 21 hops through one balance: a slow reader's bulk echo and early half-closes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void throughTheManualsSelfReferencingChain(Transport transport) throws Exception {
        for (SessionEnding ending : List.of(new ClientFinFirst(16 * MIB), new HalfCloseBeforeServerIsUp())) {
            try (Backend server = new Backend("server", ending.server());
                 InProcessBalance balance = InProcessBalance.start(transport, List.of(),
                         "localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!",
                         "localhost:" + server.port())) {
                ending.run(balance.port, counters(balance.channel(3, 0)), ending instanceof ClientFinFirst ? 2 : 10);
            }
        }
    }
}
