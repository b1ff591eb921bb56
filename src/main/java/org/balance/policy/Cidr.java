package org.balance.policy;

import io.netty.util.NetUtil;
import java.util.Arrays;
import org.balance.balancing.ClientAddress;

/**
 * An address block of {@code --allow} or {@code --deny}: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare address
 * ({@code /32}, {@code /128}). IPv4-mapped IPv6 ({@code ::ffff:10.0.0.0/104}) is read as the IPv4 block it is, and a
 * client's IPv4-mapped address is matched as IPv4, so an IPv4 rule covers a client of a dual-stack listener.
 * Addresses are plain bytes: no name is ever looked up.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** Reads {@code address[/prefix]}; throws IllegalArgumentException naming what is wrong. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(address);
        if (raw == null || address.indexOf('%') >= 0) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address");
        }
        int bits = raw.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("prefix length must be a number");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("prefix length over " + bits);
            }
        }
        byte[] folded = ClientAddress.fold(raw);
        if (folded.length == 4 && raw.length == 16) {
            if (prefix < 96) {
                throw new IllegalArgumentException("an IPv4-mapped block needs a prefix of at least 96");
            }
            prefix -= 96;
            raw = folded;
        }
        byte[] network = raw.clone();
        mask(network, prefix);
        if (!Arrays.equals(network, raw)) {
            throw new IllegalArgumentException("host bits set (the block is " + NetUtil.bytesToIpAddress(network) + "/" + prefix + ")");
        }
        return new Cidr(network, prefix, text);
    }

    private static void mask(byte[] a, int prefix) {
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            a[i] &= (byte) (0xff << (8 - keep));
        }
    }

    /** Whether {@code address} (plain bytes, 4 or 16, IPv4-mapped already folded or not) lies in this block. */
    public boolean contains(byte[] address) {
        byte[] a = ClientAddress.fold(address);
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** As given on the command line. */
    @Override
    public String toString() {
        return text;
    }
}
