package org.balance.control;

import java.util.List;
import java.util.Locale;

/**
 * One row of the command table: the command's words, its usage line and its handler.
 *
 * @param name        the command word; any prefix of it selects the command
 * @param aliases     further words, matched the same way ({@code ?} for help)
 * @param arguments   the arguments as the usage line shows them, empty if none
 * @param description the rest of the usage line
 * @param helpOrder   position in {@code help}, which lists commands in the original's order
 */
record Command(String name, List<String> aliases, String arguments, String description, int helpOrder,
               CommandHandler handler) {

    /** Width of the command column in {@code help}, as in the original. */
    static final int USAGE_COLUMN = 31;

    /** True if {@code word} is a prefix of the name or of an alias (and so not longer than it). */
    boolean matches(String word) {
        if (name.startsWith(word)) {
            return true;
        }
        for (String alias : aliases) {
            if (alias.startsWith(word)) {
                return true;
            }
        }
        return false;
    }

    /** The command's line in {@code help}. */
    String usageLine() {
        String synopsis = arguments.isEmpty() ? name : name + " " + arguments;
        return String.format(Locale.ROOT, "  %-" + USAGE_COLUMN + "s%s\n", synopsis, description);
    }
}
