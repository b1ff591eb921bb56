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
}
