package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.Routing;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shell protocol on an embedded channel: mode line, banner, prompts, end mark, bad input. */
class ControlHandlerTest {
    private static final String BANNER = "\nbalance 4.0 interactive command shell\nPID of master process is 99\n\n";

    private Routing routing;
    private final AtomicReference<Consumer<Boolean>> lastWords = new AtomicReference<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        routing = new Routing();
        routing.group(0).add(new Destination(Endpoint.of("h", InetAddress.getByName("127.0.0.1"), 7), 0, true));
        channel = new EmbeddedChannel(new LineDecoder(ControlProtocol.MAX_LINE),
                new ControlHandler(new CommandTable(), new ControlSession(routing, 99), lastWords::set, null, 60_000));
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    private void endOfInput() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.runPendingTasks();
    }

    private String output() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Test
    void interactiveShellPromptsWithTheCurrentGroupAndEndsAtEndOfInput() {
        send("-i\n");
        assertEquals(BANNER + "balance[0] ", output());
        send("group 3\n\nbogus\n");
        assertEquals("balance[3] balance[3] syntax error\nbalance[3] ", output());
        send("version\r\n");
        assertEquals("  This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\nbalance[3] ", output());
        endOfInput();
        assertEquals("\n\u00000", output());
        assertFalse(channel.isOpen());
    }

    @Test
    void theEndOfInputLineEndsTheShellWithoutAHalfClose() {
        send("-i\nversion\n\u0000\nshow\n");
        assertEquals(BANNER + "balance[0]   This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\nbalance[0] \n\u00000",
                output());
        assertFalse(channel.isOpen());
    }

    @Test
    void aLastLineWithoutNewlineIsStillACommand() {
        send("-i\nd 0");
        output();
        endOfInput();
        assertEquals("channel 0 disabled\nbalance[0] \n\u00000", output());
    }

    @Test
    void quitEndsTheShellWithStatusZero() {
        send("-i\nquit\nshow\n");
        assertEquals(BANNER + "balance[0] \u00000", output());
        assertFalse(channel.isOpen());
    }

    @Test
    void oneCommandRunsOnceAndEnds() {
        send("-c disable 0\nenable 0\n");
        assertEquals("channel 0 disabled\n\u00000", output());
        assertFalse(routing.group(0).channel(0).isEnabled());
        assertFalse(channel.isOpen());
    }

    @Test
    void anEmptyCommandPrintsNothing() {
        send("-c \n");
        assertEquals("\u00000", output());
        setUp2();
        send("-c\n");
        assertEquals("\u00000", output());
    }

    private void setUp2() {
        channel = new EmbeddedChannel(new LineDecoder(ControlProtocol.MAX_LINE),
                new ControlHandler(new CommandTable(), new ControlSession(routing, 99), lastWords::set, null, 60_000));
    }

    @Test
    void aBadModeLineIsASyntaxError() {
        send("hello\n");
        assertEquals("syntax error\n\u000064", output());
        assertFalse(channel.isOpen());
    }

    @Test
    void longLinesAreAnsweredAndSkipped() {
        send("-i\n");
        output();
        char[] junk = new char[ControlProtocol.MAX_LINE + 1];
        Arrays.fill(junk, 'x');
        send(new String(junk) + "\nshow\n");
        String out = output();
        assertTrue(out.startsWith("syntax error\nbalance[0] GRP Type"), out);
        // a long line that comes in pieces, then a good one
        send(new String(junk));
        send(new String(junk));
        send("more\nversion\n");
        assertEquals("syntax error\nbalance[0]   This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\nbalance[0] ",
                output());
        // exactly at the limit is fine
        char[] limit = new char[ControlProtocol.MAX_LINE];
        Arrays.fill(limit, ' ');
        limit[0] = 'v';
        send(new String(limit) + "\n");
        assertTrue(output().startsWith("  This is balance"));
    }

    @Test
    void aLongModeLineIsASyntaxError() {
        char[] junk = new char[5000];
        Arrays.fill(junk, 'c');
        send("-c " + new String(junk) + "\n");
        assertEquals("syntax error\n\u00000", output());
    }

    @Test
    void binaryJunkIsASyntaxError() {
        send("-i\n");
        output();
        byte[] junk = new byte[256];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (i == '\n' ? 'x' : i);
        }
        send(junk);
        send("\n\u0000\u0000\n\u00ff\n");
        assertEquals("syntax error\nbalance[0] syntax error\nbalance[0] syntax error\nbalance[0] ", output());
        assertTrue(channel.isOpen());
    }

    @Test
    void killAnswersOnceTheInstanceHasClosedItsListeners() {
        send("-c kill\n");
        assertEquals("", output());
        Consumer<Boolean> words = lastWords.get();
        assertNotNull(words);
        words.accept(true);
        assertEquals("shutdown complete, exiting.\n\u00000", output());
        assertFalse(channel.isOpen());
    }

    @Test
    void aFailedKillSaysSo() {
        send("-i\nkill\nshow\n");
        assertEquals(BANNER + "balance[0] ", output());
        lastWords.get().accept(false);
        assertEquals("shutdown failed.\n\u000069", output());
    }

    @Test
    void endOfInputBeforeTheModeLineJustCloses() {
        endOfInput();
        assertEquals("", output());
        assertFalse(channel.isOpen());
    }
}
