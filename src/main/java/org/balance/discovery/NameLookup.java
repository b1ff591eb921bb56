package org.balance.discovery;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Resolves host names, several at once, blocking the caller (never an event loop) until each has an answer or
 * failed. {@link DnsLookup} asks DNS; tests give plain objects.
 */
public interface NameLookup extends AutoCloseable {

    /** An answer for every name given: its addresses, or why there are none. */
    Map<String, Answer> lookup(Collection<String> names);

    @Override
    default void close() {
    }

    /**
     * What a name resolved to: {@code addresses} (not empty) and the shortest TTL of the records in seconds (-1 when
     * unknown, as for the hosts file); or {@code failure}, why it did not resolve.
     */
    record Answer(List<InetAddress> addresses, long ttlSeconds, String failure) {

        public static Answer of(List<InetAddress> addresses, long ttlSeconds) {
            if (addresses.isEmpty()) {
                return failed("no address");
            }
            return new Answer(List.copyOf(addresses), ttlSeconds, null);
        }

        public static Answer failed(String why) {
            return new Answer(List.of(), -1, why);
        }

        public boolean resolved() {
            return failure == null;
        }
    }
}
