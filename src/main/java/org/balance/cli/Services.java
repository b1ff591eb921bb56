package org.balance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Port numbers and names: a number, or a TCP service name from /etc/services (names and aliases). */
public final class Services {
    private static final Path DEFAULT_FILE = Path.of("/etc/services");

    private Services() {
    }

    /** The port for {@code text}, or -1 if it is neither a port number 1..65535 nor a known TCP service. */
    public static int port(String text) {
        return port(text, DEFAULT_FILE);
    }

    static int port(String text, Path servicesFile) {
        if (text == null || text.isEmpty()) {
            return -1;
        }
        if (isDigits(text)) {
            if (text.length() > 5) {
                return -1;
            }
            int value = Integer.parseInt(text);
            return value >= 1 && value <= 65535 ? value : -1;
        }
        return lookup(text, servicesFile);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int lookup(String name, Path servicesFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(servicesFile, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return -1;
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (words.length < 2) {
                continue;
            }
            String[] portProto = words[1].split("/");
            if (portProto.length != 2 || !portProto[1].toLowerCase(Locale.ROOT).equals("tcp")) {
                continue;
            }
            for (int i = 0; i < words.length; i++) {
                if (i != 1 && words[i].equals(name)) {
                    try {
                        int port = Integer.parseInt(portProto[0]);
                        return port >= 1 && port <= 65535 ? port : -1;
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }
}
