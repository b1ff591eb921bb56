package org.balance.control;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The few words the control client and the running instance exchange over the control socket. Uses java.base
 * only: the control client loads it.
 *
 * <pre>
 * client to instance:  "-i\n"            an interactive shell; every following line is a command;
 *                                        at the end of its input the client sends a line holding one
 *                                        NUL byte ("\0\n", after a '\n' if the input lacked a last one)
 *                                        and shuts down its sending side; either ends the shell
 *                  or  "-c COMMAND\n"    runs COMMAND once; anything after this line is ignored
 *                  or  "-x\n"            a new instance takes the listening socket over: the instance sends it
 *                                        (SCM_RIGHTS) and goes on accepting until the client says "taken\n";
 *                                        a refusal is answered like a command, with its reason
 * instance to client:  the shell's output, exactly what the operator sees (banner, prompts, answers),
 *                      then one NUL byte and the exit status in decimal, then the instance closes.
 * </pre>
 *
 * The shell's output never contains a NUL byte (answers are built from fixed texts and numbers), so the NUL
 * marks an orderly end: a connection that closes without it means the instance went away mid-way.
 * Lines are bytes up to '\n' (a '\r' before it is dropped), read as ISO-8859-1 so that any byte is a char.
 * The NUL line is there because Netty's NIO domain socket channel cannot half-close: on the NIO transport
 * the end of the client's output closes the connection before the shell can answer it.
 */
public final class ControlProtocol {
    public static final String SHELL = "-i";
    public static final String COMMAND = "-c";
    /** The mode line of a new instance that takes the listening socket over ({@code --takeover}). */
    public static final String TAKEOVER = "-x";
    /** What the new instance says once it serves the port. */
    public static final String TAKEN = "taken";
    /** Marks the orderly end of the output; the exit status follows in decimal. */
    public static final byte END = 0;
    public static final Charset CHARSET = StandardCharsets.ISO_8859_1;
    /** The line a shell's client sends at the end of its input. */
    public static final String END_OF_INPUT = "\0";
    /** Longest command line accepted; longer ones are answered {@code syntax error}. Also caps the mode line. */
    public static final int MAX_LINE = 1024;

    private ControlProtocol() {
    }

    /** The first line the client sends for {@code -c command}; line breaks in the command separate words. */
    public static String commandLine(String command) {
        return COMMAND + " " + command.replace('\n', ' ').replace('\r', ' ') + "\n";
    }
}
