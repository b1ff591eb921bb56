package org.balance.balancing;

import java.net.InetAddress;
import java.util.Arrays;

/** The client address as hash groups see it: plain bytes, with IPv4-mapped IPv6 folded to IPv4. */
public final class ClientAddress {
    private static final byte[] NONE = new byte[0];

    private ClientAddress() {
    }

    public static byte[] bytesOf(InetAddress address) {
        return address == null ? NONE : fold(address.getAddress());
    }

    /** {@code ::ffff:a.b.c.d} becomes {@code a.b.c.d}; anything else is returned as it is. */
    public static byte[] fold(byte[] raw) {
        if (raw.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (raw[i] != 0) {
                    return raw;
                }
            }
            if (raw[10] == (byte) 0xff && raw[11] == (byte) 0xff) {
                return Arrays.copyOfRange(raw, 12, 16);
            }
        }
        return raw;
    }
}
