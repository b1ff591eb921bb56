package org.balance.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PacketDumpTest {

    private static String dump(boolean toServer, byte[] bytes) {
        return PacketDump.format(toServer, Unpooled.wrappedBuffer(bytes));
    }

    @Test
    void headerAndEscapes() {
        assertEquals("-> 14\nGET / HTTP\\\\1\\0D\\0A\n\n",
                dump(true, "GET / HTTP\\1\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-< 3\n\\00\\FF\\7F\n", dump(false, new byte[] {0, (byte) 0xff, 0x7f}));
    }

    @Test
    void wrapsAfterEightyColumns() {
        byte[] a = new byte[100];
        java.util.Arrays.fill(a, (byte) 'a');
        String text = dump(true, a);
        String[] lines = text.split("\n", -1);
        assertEquals("-> 100", lines[0]);
        assertEquals(81, lines[1].length());
        assertEquals(19, lines[2].length());
        assertEquals("", lines[3]);
    }
}
