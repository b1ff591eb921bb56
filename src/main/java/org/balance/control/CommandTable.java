package org.balance.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.balance.balancing.GroupType;
import org.balance.control.CommandHandler.After;

/**
 * The control commands, the single source of their words, usage lines and handlers; {@code help} is made
 * from it. A command word selects the first command, in the table's order, whose name (or alias) it is a
 * prefix of; the order is the original's, so abbreviations mean what they meant there ({@code h} is help,
 * {@code r} is reset, {@code m} is maxc). Words are split on spaces and tabs; an empty line answers nothing;
 * anything else that is not a command, or lacks an argument, is answered {@code syntax error}.
 */
public final class CommandTable {
    private final List<Command> commands;
    private final String helpText;

    /** The standard table, resolving hosts with the system resolver. */
    public CommandTable() {
        this(HostResolver.system());
    }

    CommandTable(HostResolver resolver) {
        CommandHandler quit = (session, args, out) -> After.QUIT;
        CommandHandler kill = (session, args, out) -> After.KILL;
        CommandHandler helpHandler = (session, args, out) -> {
            out.append(helpText());
            return After.CONTINUE;
        };
        commands = List.of(
                new Command("quit", List.of(), "", "quit interactive mode", 13, quit),
                new Command("show", List.of(), "", "show all channels in all groups", 16, new ShowCommand()),
                new Command("help", List.of("?"), "", "prints this message", 8, helpHandler),
                new Command("kill", List.of(), "", "kills master process and quits interactive mode", 9, kill),
                new Command("disable", List.of(), "<channel>", "disables specified channel in current group", 3,
                        new SwitchCommand(false)),
                new Command("group", List.of(), "<group>", "changes current group to <group>", 5, new GroupCommand()),
                new Command("reset", List.of(), "<channel>", "reset all counters of channel in current group", 14,
                        new ResetCommand()),
                new Command("enable", List.of(), "<channel>", "enables channel in current group", 4,
                        new SwitchCommand(true)),
                new Command("create", List.of(), "<host> <port>", "creates a channel in the current group", 1,
                        AddressCommand.create(resolver)),
                new Command("assign", List.of(), "<channel> <host> <port>", "reassigns a channel in the current group", 2,
                        AddressCommand.assign(resolver)),
                new Command("maxc", List.of(), "<channel> <maxc>", "specifies new maxc for channel of current group", 10,
                        new MaxcCommand()),
                new Command("mrtg-bytes", List.of(), "<grp> <ch>", "print bytes in/out in MRTG format", 11,
                        new MrtgCommand(true)),
                new Command("mrtg-conns", List.of(), "<grp> <ch>", "print total connections in MRTG format", 12,
                        new MrtgCommand(false)),
                new Command("version", List.of(), "", "show version id", 17, new VersionCommand()),
                new Command("hash", List.of(), "", "sets distribution scheme of current group to Hash", 7,
                        new SchemeCommand(GroupType.HASH)),
                new Command("rr", List.of(), "", "sets distribution scheme of current group to Round Robin", 15,
                        new SchemeCommand(GroupType.ROUND_ROBIN)),
                // last, so that no abbreviation of the original's commands changes meaning ("m" is still maxc);
                // in help where balance.fm lists it
                new Command("monitor", List.of(), "[enable|disable|show]", "control the monitor process", 6,
                        new MonitorCommand()),
                new Command("json", List.of(), "", "show the state and counters as JSON", 8,
                        (session, args, out) -> {
                            out.append(session.statusJson()).append('\n');
                            return After.CONTINUE;
                        }),
                // new in 4.0, after the original's and balance.fm's commands: "w" and "l" abbreviated nothing before
                new Command("weight", List.of(), "<channel> <weight>", "sets weight (0-1000) of channel in current group",
                        18, new WeightCommand()),
                new Command("leastconn", List.of(), "", "sets distribution scheme of current group to Least Connections",
                        9, new SchemeCommand(GroupType.LEAST_CONNECTIONS)));
        StringBuilder text = new StringBuilder("available commands:\n");
        commands.stream().sorted(Comparator.comparingInt(Command::helpOrder)).forEach(c -> text.append(c.usageLine()));
        helpText = text.toString();
    }

    /** What one command line printed and what the shell does next. */
    public record Result(String output, After after) {
    }

    /** Runs one command line in {@code session}. Never throws: a defect is answered, not raised. */
    Result execute(String line, ControlSession session) {
        List<String> words = words(line);
        if (words.isEmpty()) {
            return new Result("", After.CONTINUE);
        }
        Command command = find(words.get(0));
        if (command == null) {
            return new Result("syntax error\n", After.CONTINUE);
        }
        StringBuilder out = new StringBuilder();
        try {
            After after = command.handler().run(session, new Arguments(words.subList(1, words.size())), out);
            return new Result(out.toString(), after);
        } catch (SyntaxError e) {
            return new Result("syntax error\n", After.CONTINUE);
        } catch (RuntimeException e) {
            return new Result("internal error: " + e + "\n", After.CONTINUE);
        }
    }

    /** The first command the word abbreviates, or null. */
    Command find(String word) {
        for (Command c : commands) {
            if (c.matches(word)) {
                return c;
            }
        }
        return null;
    }

    List<Command> commands() {
        return commands;
    }

    String helpText() {
        return helpText;
    }

    /** Splits on spaces and tabs, as the original's strtok did. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isSeparator(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSeparator(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(line.substring(start, i));
            }
        }
        return words;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }
}
