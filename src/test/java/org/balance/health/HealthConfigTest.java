package org.balance.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.balance.health.CheckAction.Command;
import org.balance.health.CheckAction.Connect;
import org.balance.health.HealthConfig.Form;
import org.junit.jupiter.api.Test;

class HealthConfigTest {
    private static final long T = 5_000; // -t 5

    private static HealthConfig.Spec spec(Form form, String text) throws Exception {
        return new HealthConfig.Spec(form, CheckSpec.parse(text));
    }

    @Test
    void withoutSpecsNothingIsChecked() {
        HealthConfig none = HealthConfig.NONE;
        assertFalse(none.isConfigured());
        assertNull(none.plan(0, 0));
    }

    @Test
    void balanceFmDefaults() throws Exception {
        HealthConfig c = HealthConfig.of(List.of(spec(Form.MONITOR, "connect")), T);
        assertTrue(c.isConfigured());
        CheckPlan p = c.plan(3, 7);
        assertEquals(60_000, p.intervalMillis(), "balance.fm checks every minute");
        assertEquals(1, p.rise());
        assertEquals(1, p.fall());
        assertEquals(List.of(new Connect(0, T, null, null)), p.actions(), "connect timeout: -t");
        assertTrue(p.mayEnable());
        assertTrue(p.mayDisable());
    }

    @Test
    void haproxyDefaultsForTheLongForm() throws Exception {
        CheckPlan p = HealthConfig.of(List.of(spec(Form.CHECK, "connect")), T).plan(0, 0);
        assertEquals(2_000, p.intervalMillis());
        assertEquals(2, p.rise());
        assertEquals(3, p.fall());
        assertEquals(2_000, p.actions().get(0).timeoutMillis(), "the interval, at most -t");
        CheckPlan slow = HealthConfig.of(List.of(spec(Form.CHECK, "interval=30")), T).plan(0, 0);
        assertEquals(T, slow.actions().get(0).timeoutMillis());
        assertEquals(List.of(new Connect(0, T, null, null)), slow.actions(), "no action: a connect");
    }

    @Test
    void actionsKeepTheirOwnTimeoutsAndTakeTheSpecsOtherwise() throws Exception {
        CheckPlan p = HealthConfig.of(List.of(spec(Form.MONITOR,
                "timeout=1:connect:timeout=0.4:command=x:nodisable")), T).plan(0, 0);
        assertEquals(400, p.actions().get(0).timeoutMillis());
        assertEquals(new Command("x", Set.of(0), 1_000L), p.actions().get(1));
        assertFalse(p.mayDisable());
        assertTrue(p.mayEnable());
    }

    @Test
    void theMostSpecificSpecAppliesAndInheritsWhatItLeavesOut() throws Exception {
        HealthConfig c = HealthConfig.of(List.of(
                spec(Form.CHECK, "connect:port=9000:interval=1:fall=4:noenable"),
                spec(Form.CHECK, "group=1:send=PING\\r\\n:expect=+PONG"),
                spec(Form.CHECK, "channel=1.2:interval=0.5"),
                spec(Form.CHECK, "channel=0.1:off")), T);
        CheckPlan instance = c.plan(0, 0);
        assertEquals(9000, ((Connect) instance.actions().get(0)).port());
        assertEquals(1_000, instance.intervalMillis());

        assertNull(c.plan(0, 1), "off");

        CheckPlan group = c.plan(1, 0);
        assertEquals(List.of(new Connect(0, 1_000L, "PING\r\n", new Expect.Prefix("+PONG"))), group.actions(),
                "its own actions, the inherited interval as timeout");
        assertEquals(1_000, group.intervalMillis());
        assertEquals(4, group.fall());
        assertEquals(2, group.rise());
        assertFalse(group.mayEnable());

        CheckPlan channel = c.plan(1, 2);
        assertEquals(500, channel.intervalMillis());
        assertEquals(List.of(new Connect(0, 500L, "PING\r\n", new Expect.Prefix("+PONG"))), channel.actions(),
                "no actions of its own: its group's, with the timeout of its own interval");
        assertEquals(4, channel.fall(), "and the instance's fall");
    }

    @Test
    void aGroupOrChannelSpecAloneChecksOnlyThat() throws Exception {
        HealthConfig c = HealthConfig.of(List.of(spec(Form.MONITOR, "group=2:command=true")), T);
        assertTrue(c.isConfigured());
        assertNull(c.plan(0, 0));
        assertEquals(60_000, c.plan(2, 5).intervalMillis());
    }

    @Test
    void twoSpecsForTheSamePlaceAreRefused() throws Exception {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(CheckSpec.SpecException.class, () ->
                HealthConfig.of(List.of(spec(Form.MONITOR, "connect"), spec(Form.CHECK, "interval=1")), T));
        assertEquals("two check specs for every channel", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(CheckSpec.SpecException.class, () ->
                HealthConfig.of(List.of(spec(Form.CHECK, "group=1"), spec(Form.CHECK, "group=1:fall=2")), T));
        assertEquals("two check specs for group 1", e.getMessage());
    }
}
