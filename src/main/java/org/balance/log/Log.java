package org.balance.log;

/**
 * Where the running proxy reports: debug tracing ({@code -d}), notices such as autodisable, and errors.
 * In the foreground that is stderr; in the background, syslog.
 */
public interface Log {

    /** Says nothing (what an internal run, such as the warm-up's, has to say is of no use to the operator). */
    Log QUIET = new Log() {
        @Override
        public boolean isDebug() {
            return false;
        }

        @Override
        public void debug(String message) {
        }

        @Override
        public void notice(String message) {
        }

        @Override
        public void error(String message) {
        }
    };

    boolean isDebug();

    /** Tracing for {@code -d}; dropped unless debugging is on. */
    void debug(String message);

    /** An event an operator should see, such as a channel being disabled. */
    void notice(String message);

    void error(String message);
}
