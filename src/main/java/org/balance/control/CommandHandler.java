package org.balance.control;

/** One command's work: reads its arguments, acts on the session's routing, appends its answer to {@code out}. */
@FunctionalInterface
interface CommandHandler {

    /** What the shell does after the command. */
    enum After {
        /** Next command (or, for {@code -c}, the end). */
        CONTINUE,
        /** End the shell, exit status 0. */
        QUIT,
        /** Stop the instance; the shell answers once it is down. */
        KILL
    }

    After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError;
}
