package org.balance.control;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits control input into lines: each line is emitted as a String (bytes as ISO-8859-1, without the '\n'
 * and a '\r' before it). A line longer than the limit is skipped up to its end and emitted as
 * {@link #TOO_LONG}, so that it can be answered in its place. At the end of input, a last line without
 * '\n' is emitted too, as {@code fgets} would return it.
 */
final class LineDecoder extends ByteToMessageDecoder {
    /** Stands for a line that was too long, in the order the lines came. */
    static final Object TOO_LONG = new Object() {
        @Override
        public String toString() {
            return "TOO_LONG";
        }
    };

    private final int maxLength;
    private boolean discarding;

    LineDecoder(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            int eol = in.indexOf(start, in.writerIndex(), (byte) '\n');
            if (eol < 0) {
                if (in.readableBytes() > maxLength + 1) {
                    discarding = true;
                    in.skipBytes(in.readableBytes());
                }
                return;
            }
            emit(in, start, eol - start, out);
            in.readerIndex(eol + 1);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (discarding || in.isReadable()) {
            emit(in, in.readerIndex(), in.readableBytes(), out);
            in.skipBytes(in.readableBytes());
        }
    }

    /** The line at {@code start}: its text, or TOO_LONG if it (or the part already skipped) was too long. */
    private void emit(ByteBuf in, int start, int length, List<Object> out) {
        if (length > 0 && in.getByte(start + length - 1) == '\r') {
            length--;
        }
        if (discarding || length > maxLength) {
            discarding = false;
            out.add(TOO_LONG);
        } else {
            out.add(in.toString(start, length, ControlProtocol.CHARSET));
        }
    }
}
