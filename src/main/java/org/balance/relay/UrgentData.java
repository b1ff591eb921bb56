package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.SocketOption;

/**
 * Urgent (out-of-band) TCP data: what a transport can do with it, and the two system calls Netty does not offer.
 *
 * <p>Every socket gets SO_OOBINLINE, so an urgent byte stays in its place in the stream instead of waiting apart
 * for {@code recv(MSG_OOB)} (where reading past it would lose it). A read never goes past the urgent byte's
 * mark: it stops before it, and the next read starts with it. On epoll, the socket is also watched for EPOLLPRI
 * ({@link EpollKeepRegistered}), which epoll reports while an urgent byte is still unread; from then on, after
 * each read, {@code poll(POLLPRI)} says whether it still is: the read after which it no longer is began with
 * the urgent byte. That byte goes to the peer with {@code send(MSG_OOB)} once everything before it has gone
 * out, and nothing after it goes out before it.
 *
 * <p>The JDK has both calls ({@code sun.nio.ch.Net.poll} and {@code sendOOB}, used by {@code Socket}'s own urgent
 * data); they are reached with {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which bin/balance passes.
 * Without that, or on NIO, whose selector cannot report urgent data, urgent bytes are forwarded inline as ordinary
 * bytes, in their place; NIO without that access cannot even set SO_OOBINLINE, and the kernel drops them from
 * the stream. {@link #describe()} says which, for {@code -d}.
 *
 * <p>Limit (TCP's own): a connection has one urgent mark at a time; a second urgent byte that arrives before the
 * first is read makes the first ordinary data, here as for any reader.
 */
final class UrgentData {
    /** SO_OOBINLINE for the native transport (Linux copies it from a listener to the sockets it accepts). */
    static final IntegerUnixChannelOption NATIVE_OOB_INLINE =
            new IntegerUnixChannelOption("SO_OOBINLINE", 1 /* SOL_SOCKET */, 10 /* SO_OOBINLINE */);
    private static final int POLLPRI = 0x2;

    /** What happens to urgent bytes. */
    enum Mode { URGENT, INLINE, DROPPED }

    private final Mode mode;
    private final String why;
    private final MethodHandle newFd;
    private final MethodHandle poll;
    private final MethodHandle sendOob;
    private final ChannelOption<Boolean> nioOobInline;

    private UrgentData(Mode mode, String why, MethodHandle[] calls, ChannelOption<Boolean> nioOobInline) {
        this.mode = mode;
        this.why = why;
        this.newFd = calls == null ? null : calls[0];
        this.poll = calls == null ? null : calls[1];
        this.sendOob = calls == null ? null : calls[2];
        this.nioOobInline = nioOobInline;
    }

    /** What the given transport can do here. */
    static UrgentData forTransport(Transport transport) {
        MethodHandle[] calls = jdkCalls();
        String noAccess = "no access to sun.nio.ch: the JVM needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED, as bin/balance gives it";
        if (transport.isEpoll()) {
            return calls != null
                    ? new UrgentData(Mode.URGENT, null, calls, null)
                    : new UrgentData(Mode.INLINE, noAccess, null, null);
        }
        ChannelOption<Boolean> inline = nioOobInlineOption();
        String nio = "the nio transport cannot see urgent data";
        return inline != null
                ? new UrgentData(Mode.INLINE, nio, null, inline)
                : new UrgentData(Mode.DROPPED, nio + "; " + noAccess, null, null);
    }

    Mode mode() {
        return mode;
    }

    boolean isUrgent() {
        return mode == Mode.URGENT;
    }

    /** One line for {@code -d}. */
    String describe() {
        return switch (mode) {
            case URGENT -> "urgent data: forwarded as urgent data, in place, both ways";
            case INLINE -> "urgent data: forwarded inline, as ordinary data, in place (" + why + ")";
            case DROPPED -> "urgent data: dropped by the kernel (" + why + ")";
        };
    }

    /** The NIO channel option for SO_OOBINLINE, or null (then NIO sockets cannot keep urgent bytes). */
    ChannelOption<Boolean> nioOobInline() {
        return nioOobInline;
    }

    /** True if {@code ch} still has an unread urgent byte (poll POLLPRI); false also when that cannot be told. */
    boolean unreadUrgentByte(Channel ch) {
        try {
            int revents = (int) poll.invokeExact(descriptor(ch), POLLPRI, 0L);
            return (revents & POLLPRI) != 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Sends {@code b} as urgent data on {@code ch}: true if sent, false if its socket buffer is full. */
    boolean send(Channel ch, byte b) throws IOException {
        try {
            return (int) sendOob.invokeExact(descriptor(ch), b) > 0;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    private FileDescriptor descriptor(Channel ch) throws Throwable {
        return (FileDescriptor) newFd.invokeExact(((UnixChannel) ch).fd().intValue());
    }

    /** sun.nio.ch's IOUtil.newFD, Net.poll and Net.sendOOB, or null without access. */
    private static MethodHandle[] jdkCalls() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> net = Class.forName("sun.nio.ch.Net");
            Method newFd = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("newFD", int.class);
            Method poll = net.getDeclaredMethod("poll", FileDescriptor.class, int.class, long.class);
            Method sendOob = net.getDeclaredMethod("sendOOB", FileDescriptor.class, byte.class);
            newFd.setAccessible(true);
            poll.setAccessible(true);
            sendOob.setAccessible(true);
            return new MethodHandle[] {
                lookup.unreflect(newFd).asType(MethodType.methodType(FileDescriptor.class, int.class)),
                lookup.unreflect(poll).asType(MethodType.methodType(int.class, FileDescriptor.class, int.class, long.class)),
                lookup.unreflect(sendOob).asType(MethodType.methodType(int.class, FileDescriptor.class, byte.class)),
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static ChannelOption<Boolean> nioOobInlineOption() {
        try {
            Field f = Class.forName("sun.nio.ch.ExtendedSocketOption").getDeclaredField("SO_OOBINLINE");
            f.setAccessible(true);
            return NioChannelOption.of((SocketOption<Boolean>) f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
