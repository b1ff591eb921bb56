package org.balance.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DestinationTest {

    @Test
    void switchesReportWhetherTheyChangedSomething() throws Exception {
        Destination d = new Destination(Endpoint.of("a", InetAddress.getLoopbackAddress(), 1), 0, true);
        assertFalse(d.enable());
        assertTrue(d.disable());
        assertFalse(d.disable());
        assertTrue(d.enable());
    }

    @Test
    void assignOnlyWhileDisabled() throws Exception {
        Destination d = new Destination(Endpoint.of("a", InetAddress.getLoopbackAddress(), 1), 0, true);
        Endpoint other = Endpoint.of("b", InetAddress.getLoopbackAddress(), 2);
        assertFalse(d.assign(other));
        d.disable();
        assertTrue(d.assign(other));
        assertEquals(2, d.endpoint().port());
    }

    @Test
    void resetKeepsCurrentConnections() throws Exception {
        Destination d = new Destination(Endpoint.of("a", InetAddress.getLoopbackAddress(), 1), 0, true);
        assertTrue(d.tryReserve());
        d.addSent(10);
        d.addReceived(20);
        d.resetCounters();
        assertEquals(0, d.totalConnections());
        assertEquals(0, d.bytesSent());
        assertEquals(0, d.bytesReceived());
        assertEquals(1, d.currentConnections());
    }

    private static Destination channel() throws Exception {
        return new Destination(Endpoint.of("a", InetAddress.getLoopbackAddress(), 1), 0, true);
    }

    @Test
    void twoSwitchesTheOperatorsAndTheSoftOne() throws Exception {
        Destination d = channel();
        assertEquals(Destination.Status.ENABLED, d.status());
        assertTrue(d.markDown());
        assertFalse(d.markDown());
        assertTrue(d.isEnabled(), "the operator's switch is untouched");
        assertTrue(d.isDown());
        assertFalse(d.isInService());
        assertEquals(Destination.Status.SOFT_DISABLED, d.status());
        assertTrue(d.markUp());
        assertFalse(d.markUp());
        assertTrue(d.isInService());
    }

    @Test
    void theOperatorsDisableWinsOverTheSoftSwitch() throws Exception {
        Destination d = channel();
        d.disable();
        assertTrue(d.markDown());
        assertTrue(d.markUp());
        assertFalse(d.isInService(), "a soft switch never brings back what the operator disabled");
        assertEquals(Destination.Status.DISABLED, d.status());
        assertFalse(d.tryReserve());
    }

    @Test
    void enableClearsBothSwitchesAndDisableOfASoftDisabledChannelMakesItTheOperators() throws Exception {
        Destination d = channel();
        d.markDown();
        assertTrue(d.enable(), "enable brings back a soft-disabled channel, as after -a in the original");
        assertTrue(d.isInService());
        assertFalse(d.enable());
        d.markDown();
        assertTrue(d.disable());
        assertEquals(Destination.Status.DISABLED, d.status());
        assertTrue(d.enable());
        assertEquals(Destination.Status.ENABLED, d.status());
    }

    @Test
    void assignWhileOutOfService() throws Exception {
        Destination d = channel();
        d.markDown();
        assertTrue(d.assign(Endpoint.of("b", InetAddress.getLoopbackAddress(), 2)), "a soft-disabled channel is out of service too");
    }
}
