package org.balance.control;

import java.util.function.Consumer;

/** How {@code kill} stops the instance. */
@FunctionalInterface
public interface Shutdown {

    /**
     * Starts stopping the instance on a thread of its own and returns at once. Once the listener is closed and
     * the control socket removed, while the I/O threads still run, {@code lastWords} is called with true if
     * that went well, so that the shell can answer before its connection goes down with the rest.
     */
    void begin(Consumer<Boolean> lastWords);
}
