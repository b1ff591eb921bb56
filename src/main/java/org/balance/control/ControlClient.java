package org.balance.control;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import org.balance.cli.ExitStatus;
import org.balance.cli.Options;

/** Placeholder until the control socket exists (issue 3): no instance can be reached yet. */
public final class ControlClient {
    private ControlClient() {
    }

    public static int run(Options options, int port, InputStream in, PrintStream out, PrintStream err,
                          Map<String, String> env) {
        out.println("no master process, exiting.");
        return ExitStatus.UNAVAILABLE;
    }
}
