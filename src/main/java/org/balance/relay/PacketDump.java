package org.balance.relay;

import io.netty.buffer.ByteBuf;
import java.io.PrintStream;

/**
 * The {@code -p} packet dump in the original's format: a header line {@code -> N} (client to server) or
 * {@code -< N} (server to client), then the bytes: printable ASCII as is, a backslash doubled, any other byte
 * as {@code \XX}; a line break after each {@code \0A}, a wrap once a line passes 80 columns, a final newline.
 */
public final class PacketDump {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private final PrintStream out;

    public PacketDump(PrintStream out) {
        this.out = out;
    }

    /** Prints one chunk; whole chunks are printed at once so that sessions do not interleave mid-chunk. */
    public void print(boolean toServer, ByteBuf data) {
        String text = format(toServer, data);
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }

    /** Prints one urgent byte as a chunk of its own, marked in its header: {@code -> 1 urgent}. */
    public void printUrgent(boolean toServer, byte b) {
        String text = formatUrgent(toServer, b);
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }

    static String formatUrgent(boolean toServer, byte b) {
        String chunk = format(toServer, io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {b}));
        return (toServer ? "-> " : "-< ") + "1 urgent" + chunk.substring(chunk.indexOf('\n'));
    }

    /** Prints the end of one direction, as the original did for its zero-length read. */
    public void printEnd(boolean toServer) {
        synchronized (out) {
            out.print((toServer ? "-> " : "-< ") + "0\n\n");
            out.flush();
        }
    }

    static String format(boolean toServer, ByteBuf data) {
        int length = data.readableBytes();
        StringBuilder sb = new StringBuilder(length * 2 + 16);
        sb.append(toServer ? "-> " : "-< ").append(length).append('\n');
        int column = 0;
        for (int i = data.readerIndex(), end = data.writerIndex(); i < end; i++) {
            int b = data.getByte(i) & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                if (b == '\\') {
                    sb.append("\\\\");
                    column += 2;
                } else {
                    sb.append((char) b);
                    column++;
                }
            } else {
                sb.append('\\').append(HEX[b >>> 4]).append(HEX[b & 0xf]);
                column += 3;
                if (b == '\n') {
                    sb.append('\n');
                    column = 0;
                }
            }
            if (column > 80) {
                sb.append('\n');
                column = 0;
            }
        }
        sb.append('\n');
        return sb.toString();
    }
}
