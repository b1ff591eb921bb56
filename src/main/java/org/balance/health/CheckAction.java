package org.balance.health;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** One step of a check. A check runs its actions in order and stops at the first that fails. */
public sealed interface CheckAction {

    /** This action's own timeout in milliseconds, or null for the check's. */
    Long timeoutMillis();

    /** The same action with its timeout set (resolving a spec fills in the ones left open). */
    CheckAction withTimeout(long millis);

    /**
     * {@code connect}: a TCP connection to the channel's address, on its own port or on {@code port}; then,
     * optionally, {@code send} bytes and read until the reply meets {@code expect}. The whole exchange is
     * bounded by the timeout.
     *
     * @param port 0 for the channel's port
     * @param send bytes as ISO-8859-1 characters, or null
     * @param expect what the reply must look like, or null to pass once connected (and sent)
     */
    record Connect(int port, Long timeoutMillis, String send, Expect expect) implements CheckAction {
        @Override
        public Connect withTimeout(long millis) {
            return new Connect(port, millis, send, expect);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("connect");
            if (port != 0) {
                s.append(" port ").append(port);
            }
            if (send != null) {
                s.append(" send \"").append(Escapes.show(send, 60)).append('"');
            }
            if (expect != null) {
                s.append(' ').append(expect);
            }
            return s.toString();
        }
    }

    /**
     * {@code command}: a shell command line ({@code /bin/sh -c}) with {@code %H} the channel's address,
     * {@code %P} its port and {@code %%} a percent sign; passes when it exits with one of {@code pass}.
     * Killed, with everything it started, at the timeout.
     */
    record Command(String template, Set<Integer> pass, Long timeoutMillis) implements CheckAction {
        public Command {
            Objects.requireNonNull(template, "template");
            pass = Set.copyOf(pass);
        }

        @Override
        public Command withTimeout(long millis) {
            return new Command(template, pass, millis);
        }

        /** The command line for one channel: {@code %H}, {@code %P} and {@code %%} replaced, any other {@code %x} kept. */
        public String commandLine(String host, int port) {
            StringBuilder out = new StringBuilder(template.length() + 16);
            for (int i = 0; i < template.length(); i++) {
                char c = template.charAt(i);
                if (c == '%' && i + 1 < template.length()) {
                    char next = template.charAt(++i);
                    switch (next) {
                        case 'H' -> out.append(host);
                        case 'P' -> out.append(port);
                        case '%' -> out.append('%');
                        default -> out.append('%').append(next);
                    }
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        @Override
        public String toString() {
            String codes = new TreeSet<>(pass).toString().replace(" ", "").replace("[", "").replace("]", "");
            return "command \"" + template + "\"" + (pass.equals(Set.of(0)) ? "" : " pass " + codes);
        }
    }
}
