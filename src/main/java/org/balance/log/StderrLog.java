package org.balance.log;

import java.io.PrintStream;

/** Foreground logging: one line per message on the given stream (stderr), like the original. */
public final class StderrLog implements Log {
    private final PrintStream out;
    private final boolean debug;

    public StderrLog(PrintStream out, boolean debug) {
        this.out = out;
        this.debug = debug;
    }

    @Override
    public boolean isDebug() {
        return debug;
    }

    @Override
    public void debug(String message) {
        if (debug) {
            out.println(message);
        }
    }

    @Override
    public void notice(String message) {
        out.println(message);
    }

    @Override
    public void error(String message) {
        out.println(message);
    }
}
