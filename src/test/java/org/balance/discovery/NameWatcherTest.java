package org.balance.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.balance.cli.CommandLine;
import org.balance.cli.ProxyConfig;
import org.balance.log.Log;
import org.junit.jupiter.api.Test;

/** The watcher's decisions, with a lookup and an instance of plain objects. */
class NameWatcherTest {

    /** Answers what the test says, and counts the names it was asked. */
    static final class FakeLookup implements NameLookup {
        final Map<String, Answer> answers = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public Map<String, Answer> lookup(Collection<String> names) {
            Map<String, Answer> out = new LinkedHashMap<>();
            for (String n : names) {
                asked.add(n);
                out.put(n, answers.getOrDefault(n, Answer.failed("NXDOMAIN")));
            }
            return out;
        }
    }

    /** The instance: its configuration, and every configuration applied. */
    static final class FakeTarget implements NameWatcher.Target {
        ProxyConfig config;
        final List<ProxyConfig> applied = new ArrayList<>();

        FakeTarget(ProxyConfig config) {
            this.config = config;
        }

        @Override
        public ProxyConfig config() {
            return config;
        }

        @Override
        public void apply(UnaryOperator<ProxyConfig> change) {
            config = change.apply(config);
            applied.add(config);
        }
    }

    static final class Lines implements Log {
        final List<String> notices = new ArrayList<>();

        @Override
        public boolean isDebug() {
            return false;
        }

        @Override
        public void debug(String message) {
        }

        @Override
        public void notice(String message) {
            notices.add(message);
        }

        @Override
        public void error(String message) {
            notices.add("error: " + message);
        }
    }

    private static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    /** balance 80 localhost:8080 127.0.0.9:8081 ! localhost:8082:5:3, names as resolved at start-up. */
    private static ProxyConfig config() throws Exception {
        return ProxyConfig.from(CommandLine.parse("--resolve", "30", "80", "localhost:8080", "127.0.0.9:8081", "!",
                "localhost:8082:5:3"));
    }

    private static String address(ProxyConfig c, int g, int ch) {
        return c.groups().get(g).channels().get(ch).endpoint().addressText();
    }

    @Test
    void aChangedAddressIsAppliedUnchangedNothingLiteralsAreNotAsked() throws Exception {
        FakeLookup lookup = new FakeLookup();
        ProxyConfig start = config();
        FakeTarget target = new FakeTarget(start);
        Lines log = new Lines();
        NameWatcher w = new NameWatcher(lookup, 30_000, target, log);
        String atStart = address(start, 0, 0);

        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(ip("10.0.0.7"), ip(atStart)), 300));
        assertEquals(30_000, w.round());
        assertEquals(List.of("localhost"), lookup.asked, "one query per name, none for an address");
        assertTrue(target.applied.isEmpty(), "the address in use is still among the answers: nothing to do");
        assertTrue(log.notices.isEmpty(), log.notices.toString());

        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(ip("10.0.0.7"), ip("10.0.0.8")), 300));
        w.round();
        assertEquals(1, target.applied.size());
        ProxyConfig moved = target.config;
        assertEquals("10.0.0.7", address(moved, 0, 0));
        assertEquals(8080, moved.groups().get(0).channels().get(0).endpoint().port());
        assertEquals("localhost", moved.groups().get(0).channels().get(0).endpoint().host());
        assertEquals("127.0.0.9", address(moved, 0, 1), "a literal stays");
        assertEquals("10.0.0.7", address(moved, 1, 0), "every channel of the name");
        assertEquals(5, moved.groups().get(1).channels().get(0).maxConnections());
        assertEquals(3, moved.groups().get(1).channels().get(0).weight());
        assertEquals(30_000, moved.resolveMillis(), "the rest of the configuration is the same");
        assertEquals(List.of("resolve: localhost now 10.0.0.7 (was " + atStart
                + "): new sessions go there, sessions in progress stay"), log.notices);

        w.round();
        assertEquals(1, target.applied.size(), "unchanged: nothing applied");
    }

    @Test
    void aNameThatStopsResolvingKeepsItsAddressLoggedOnceAndOnceAgainWhenItComesBack() throws Exception {
        FakeLookup lookup = new FakeLookup();
        ProxyConfig start = config();
        FakeTarget target = new FakeTarget(start);
        Lines log = new Lines();
        NameWatcher w = new NameWatcher(lookup, 30_000, target, log);
        String atStart = address(start, 0, 0);

        assertEquals(30_000, w.round());
        w.round();
        w.round();
        assertTrue(target.applied.isEmpty());
        assertSame(start, target.config);
        assertEquals(List.of("resolve: localhost does not resolve (NXDOMAIN); its channels keep " + atStart), log.notices);

        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(ip(atStart)), 60));
        w.round();
        w.round();
        assertEquals(2, log.notices.size(), log.notices.toString());
        assertEquals("resolve: localhost resolves again (" + atStart + ")", log.notices.get(1));
        assertTrue(target.applied.isEmpty());
    }

    @Test
    void aShorterTtlBringsTheNextRoundSoonerButNotBelowASecond() throws Exception {
        FakeLookup lookup = new FakeLookup();
        FakeTarget target = new FakeTarget(config());
        NameWatcher w = new NameWatcher(lookup, 30_000, target, new Lines());
        InetAddress now = target.config.groups().get(0).channels().get(0).endpoint().address().getAddress();

        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(now), 5));
        assertEquals(5_000, w.round());
        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(now), 0));
        assertEquals(NameWatcher.FLOOR_MILLIS, w.round());
        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(now), 3600));
        assertEquals(30_000, w.round(), "a longer TTL: every SEC");
        lookup.answers.put("localhost", NameLookup.Answer.of(List.of(now), -1));
        assertEquals(30_000, w.round(), "no TTL (hosts file): every SEC");
    }

    @Test
    void aConfigurationWithoutNamesAsksNothing() throws Exception {
        FakeLookup lookup = new FakeLookup();
        FakeTarget target = new FakeTarget(ProxyConfig.from(CommandLine.parse("--resolve", "2", "80", "127.0.0.1", "[::1]:81")));
        NameWatcher w = new NameWatcher(lookup, 2_000, target, new Lines());
        assertEquals(2_000, w.round());
        assertTrue(lookup.asked.isEmpty());
    }

    @Test
    void namesAreWhatIsNotAnAddress() {
        assertTrue(NameWatcher.isName("svc.test"));
        assertTrue(NameWatcher.isName("localhost"));
        assertTrue(!NameWatcher.isName("10.1.2.3"));
        assertTrue(!NameWatcher.isName("2001:db8::1"));
        assertTrue(!NameWatcher.isName("[2001:db8::1]"));
    }
}
