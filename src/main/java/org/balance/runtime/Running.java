package org.balance.runtime;

import java.util.function.Consumer;

/** What the signals and the main thread ask of a running balance: one command line, or a whole {@code --config} file. */
public interface Running {

    /** The graceful stop: close the ports at once, let the sessions end, then stop. False if one had begun. */
    boolean drain(Consumer<Boolean> lastWords);

    /** Ends a drain now: the sessions still open are closed. */
    void cutDrainShort();

    /** SIGHUP: read the configuration again, if there is one to read. */
    void reload();

    /** SIGUSR1: a restart is under way; keep serving until a new instance takes the ports over. */
    void restarting();

    /** Stops at once. */
    void stop();

    /** Blocks until stopped. */
    void awaitStop() throws InterruptedException;

    /** Says something in the instance's log. */
    void notice(String message);
}
