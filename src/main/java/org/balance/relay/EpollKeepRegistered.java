package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Netty's epoll I/O handler with one correction: a socket whose event mask becomes empty stays registered with
 * epoll, waiting for nothing (edge-triggered, no events), instead of being removed from it.
 *
 * <p>Why: in Netty 4.2.18 (and, by their bytecode, 4.2.19 and 4.2.20) {@code EpollIoHandler}'s registration
 * answers an empty mask with {@code EPOLL_CTL_DEL} but keeps believing the socket is added, so the next non-empty
 * mask goes out as {@code EPOLL_CTL_MOD} and fails with ENOENT. A relay meets that every time a client half-closes
 * and is then sent more than its socket buffer holds: after the FIN, with nothing to read and nothing waiting to
 * be written, the mask is empty; the next write that needs EPOLLOUT fails, Netty shuts the client's output (a clean
 * EOF to the client) and the session is torn down with the server's answer unread: silent loss.
 *
 * <p>Waiting for nothing costs nothing: epoll only reports errors and hang-ups for such a socket, once, which is
 * what the channel would learn from its next read or write anyway. This class can go once Netty's
 * {@code DefaultEpollIoRegistration.submit()} resets its state after the DEL (see RelayIntegrityIT, which fails
 * on epoll without it).
 *
 * <p>With {@code watchUrgent}, it also reports urgent data ({@link UrgentData}): every socket that waits for
 * EPOLLIN waits for EPOLLPRI too (only then, as epoll repeats EPOLLPRI for as long as the urgent byte is unread),
 * and while an event with EPOLLPRI is being handled, {@link #urgentEvent(Channel)} says so to the channel's
 * handlers, which Netty calls on this thread from within that event's reads.
 */
final class EpollKeepRegistered {
    private static final EpollIoOps EPOLLPRI = EpollIoOps.valueOf(0x2);
    /** The I/O handle (a channel's unsafe) whose EPOLLPRI event this event-loop thread is handling, or null. */
    private static final FastThreadLocal<IoHandle> URGENT_EVENT = new FastThreadLocal<>();

    private EpollKeepRegistered() {
    }

    /** True while the event being handled for {@code ch} on this thread says that it has an unread urgent byte. */
    static boolean urgentEvent(Channel ch) {
        return URGENT_EVENT.get() == ch.unsafe();
    }

    /** The read that began with the urgent byte has been made: later reads in this event do not begin with one. */
    static void urgentEventHandled() {
        URGENT_EVENT.set(null);
    }

    static IoHandlerFactory newFactory(boolean watchUrgent) {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(io.netty.util.concurrent.ThreadAwareExecutor executor) {
                return new Handler(epoll.newHandler(executor), watchUrgent);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    private record Handler(IoHandler epoll, boolean watchUrgent) implements IoHandler {
        @Override
        public void initialize() {
            epoll.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return epoll.run(context);
        }

        @Override
        public void prepareToDestroy() {
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            epoll.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            if (!watchUrgent) {
                return new Registration(epoll.register(handle), false);
            }
            return new Registration(epoll.register(new UrgentWatch((EpollIoHandle) handle)), true);
        }

        @Override
        public void wakeup() {
            epoll.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return epoll.isCompatible(handleType);
        }
    }

    private record Registration(IoRegistration epoll, boolean watchUrgent) implements IoRegistration {
        @Override
        public long submit(IoOps ops) {
            EpollIoOps epollOps = (EpollIoOps) ops;
            if (epollOps.value() == 0) {
                return epoll.submit(EpollIoOps.EPOLLET);
            }
            return epoll.submit(watchUrgent && epollOps.contains(EpollIoOps.EPOLLIN) ? epollOps.with(EPOLLPRI) : ops);
        }

        @Override
        public <T> T attachment() {
            return epoll.attachment();
        }

        @Override
        public boolean isValid() {
            return epoll.isValid();
        }

        @Override
        public boolean cancel() {
            return epoll.cancel();
        }
    }

    /** A channel's I/O handle that lets its handlers know when its event carries EPOLLPRI. */
    private record UrgentWatch(EpollIoHandle channel) implements EpollIoHandle {
        @Override
        public FileDescriptor fd() {
            return channel.fd();
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if (!((EpollIoEvent) event).ops().contains(EPOLLPRI)) {
                channel.handle(registration, event);
                return;
            }
            URGENT_EVENT.set(channel);
            try {
                channel.handle(registration, event);
            } finally {
                URGENT_EVENT.set(null);
            }
        }

        @Override
        public void registered() {
            channel.registered();
        }

        @Override
        public void unregistered() {
            channel.unregistered();
        }

        @Override
        public void close() throws Exception {
            channel.close();
        }
    }
}
