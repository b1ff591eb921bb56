package org.balance.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus text format (version 0.0.4) read line by line, strictly: what {@code promtool check metrics}
 * rejects or lints is a problem here too (families together and typed before their samples, valid names and
 * label escapes, counters ending in {@code _total}, histograms with cumulative buckets up to {@code +Inf} that
 * equal {@code _count}, no series twice), plus our own rule that every family starts with {@code balance_}.
 * Also runs {@code promtool} itself when it is installed.
 */
public final class Exposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

    /** One sample: its name, labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new LinkedHashMap<>();

    private Exposition() {
    }

    /** Parses and checks {@code text}; throws AssertionError naming the line and the problem. */
    public static Exposition parse(String text) {
        Exposition e = new Exposition();
        e.read(text);
        return e;
    }

    public List<Sample> samples() {
        return samples;
    }

    public Map<String, String> types() {
        return types;
    }

    /** The value of the one sample with this name and these labels (at least), or fails. */
    public double value(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + " " + List.of(labelPairs) + " in " + samples);
        }
        return found.get(0).value();
    }

    public List<Sample> find(String name, String... labelPairs) {
        List<Sample> found = new ArrayList<>();
        outer:
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                    continue outer;
                }
            }
            found.add(s);
        }
        return found;
    }

    private void read(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a newline");
        }
        String family = null;
        Set<String> finished = new HashSet<>();
        Set<String> series = new HashSet<>();
        Map<String, String> help = new HashMap<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            String where = "line " + n + " [" + line + "]: ";
            if (line.isEmpty()) {
                throw new AssertionError(where + "empty line");
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ", 4);
                if (parts.length < 4 || !NAME.matcher(parts[2]).matches()) {
                    throw new AssertionError(where + "bad metadata");
                }
                String name = parts[2];
                if (!name.equals(family)) {
                    if (family != null) {
                        finished.add(family);
                    }
                    if (finished.contains(name)) {
                        throw new AssertionError(where + "family " + name + " appears twice");
                    }
                    family = name;
                }
                if (line.startsWith("# HELP ")) {
                    if (help.put(name, parts[3]) != null) {
                        throw new AssertionError(where + "second HELP");
                    }
                } else {
                    if (!Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[3])) {
                        throw new AssertionError(where + "unknown type");
                    }
                    if (types.put(name, parts[3]) != null) {
                        throw new AssertionError(where + "second TYPE");
                    }
                    if (parts[3].equals("counter") && !name.endsWith("_total")) {
                        throw new AssertionError(where + "counter names end in _total (promtool lint)");
                    }
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError(where + "not a sample");
            }
            String name = m.group(1);
            String base = familyOf(name);
            if (base == null || !base.equals(family)) {
                throw new AssertionError(where + "sample outside its family (" + family + ") or without TYPE");
            }
            if (!base.startsWith("balance_")) {
                throw new AssertionError(where + "name without the balance_ prefix");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(3));
                int at = 0;
                while (at < m.group(3).length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new AssertionError(where + "bad labels");
                    }
                    if (labels.put(l.group(1), l.group(2)) != null) {
                        throw new AssertionError(where + "label twice");
                    }
                    at = l.end();
                }
            }
            double value;
            try {
                value = switch (m.group(4)) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    case "NaN" -> Double.NaN;
                    default -> Double.parseDouble(m.group(4));
                };
            } catch (NumberFormatException e) {
                throw new AssertionError(where + "bad value");
            }
            if (!series.add(name + labels)) {
                throw new AssertionError(where + "series twice");
            }
            samples.add(new Sample(name, labels, value));
        }
        for (Map.Entry<String, String> t : types.entrySet()) {
            if (!help.containsKey(t.getKey())) {
                throw new AssertionError("no HELP for " + t.getKey());
            }
            if (t.getValue().equals("histogram")) {
                checkHistogram(t.getKey());
            }
        }
    }

    /** The family a sample name belongs to: itself, or a histogram's name without _bucket/_sum/_count. */
    private String familyOf(String name) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private void checkHistogram(String name) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name + "_bucket")) {
                Map<String, String> key = new LinkedHashMap<>(s.labels());
                if (key.remove("le") == null) {
                    throw new AssertionError(name + ": bucket without le");
                }
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : buckets.entrySet()) {
            double last = -1;
            double lastLe = Double.NEGATIVE_INFINITY;
            for (Sample b : e.getValue()) {
                double le = b.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b.labels().get("le"));
                if (le <= lastLe || b.value() < last) {
                    throw new AssertionError(name + e.getKey() + ": buckets not increasing");
                }
                lastLe = le;
                last = b.value();
            }
            if (lastLe != Double.POSITIVE_INFINITY) {
                throw new AssertionError(name + e.getKey() + ": no +Inf bucket");
            }
            String[] pairs = e.getKey().entrySet().stream().flatMap(x -> java.util.stream.Stream.of(x.getKey(), x.getValue()))
                    .toArray(String[]::new);
            if (value(name + "_count", pairs) != last) {
                throw new AssertionError(name + e.getKey() + ": +Inf bucket differs from _count");
            }
            value(name + "_sum", pairs);
        }
    }

    /** {@code promtool check metrics} on {@code text}: null if promtool is not installed, else its complaints ("" if none). */
    public static String promtool(String text) throws IOException, InterruptedException {
        File promtool = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) {
                promtool = f;
                break;
            }
        }
        if (promtool == null) {
            return null;
        }
        Path in = Files.createTempFile("metrics", ".txt");
        Path out = Files.createTempFile("promtool", ".txt");
        try {
            Files.writeString(in, text, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectInput(in.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "promtool did not finish";
            }
            return p.exitValue() == 0 ? "" : Files.readString(out);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
