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
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's epoll I/O handler with a correction and a saving. The correction: a socket whose event mask becomes empty
 * stays registered with epoll, waiting for nothing (edge-triggered, no events), instead of being removed from it.
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
 * <p>Mask changes are applied once per turn of the event loop, just before it waits again, and only if the mask
 * differs from what the kernel has: between two waits nobody can observe the mask, so only the last change
 * counts. A session's connect alone asked for four changes of the server socket's mask in one turn (clear
 * EPOLLOUT, the same again, then EPOLLIN), and a closing socket's last change is dropped with it: 10 epoll_ctl
 * calls per short session became 7 (strace, 2,000 sessions). Changes asked for outside the event loop (none in
 * the relay) go out at once.
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
                return new Handler(epoll.newHandler(executor), executor, watchUrgent);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    private static final class Handler implements IoHandler {
        private final IoHandler epoll;
        private final io.netty.util.concurrent.ThreadAwareExecutor executor;
        private final boolean watchUrgent;
        /** Registrations with a mask change not applied yet; touched by the event loop's thread only. */
        private final List<Registration> changed = new ArrayList<>();

        Handler(IoHandler epoll, io.netty.util.concurrent.ThreadAwareExecutor executor, boolean watchUrgent) {
            this.epoll = epoll;
            this.executor = executor;
            this.watchUrgent = watchUrgent;
        }

        @Override
        public void initialize() {
            epoll.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            applyChanges();
            return epoll.run(context);
        }

        /** Applies the mask changes of this turn of the event loop: just before it waits again. */
        private void applyChanges() {
            // by index: applying only submits to Netty, it never adds to the list
            for (int i = 0; i < changed.size(); i++) {
                changed.get(i).apply();
            }
            changed.clear();
        }

        @Override
        public void prepareToDestroy() {
            applyChanges();
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            changed.clear();
            epoll.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            if (!watchUrgent) {
                return new Registration(epoll.register(handle), this, false);
            }
            return new Registration(epoll.register(new UrgentWatch((EpollIoHandle) handle)), this, true);
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

    private static final class Registration implements IoRegistration {
        /** No mask: none applied yet (the first one adds the socket to epoll), or none waiting. */
        private static final int NONE = -1;

        private final IoRegistration epoll;
        private final Handler handler;
        private final boolean watchUrgent;
        /** The mask the kernel has, or NONE. */
        private int applied = NONE;
        /** The last mask asked for and not applied yet, or NONE. */
        private int wanted = NONE;

        Registration(IoRegistration epoll, Handler handler, boolean watchUrgent) {
            this.epoll = epoll;
            this.handler = handler;
            this.watchUrgent = watchUrgent;
        }

        @Override
        public long submit(IoOps ops) {
            EpollIoOps epollOps = (EpollIoOps) ops;
            int mask;
            if (epollOps.value() == 0) {
                // an empty mask would make Netty remove the socket from epoll (see the class comment)
                mask = EpollIoOps.EPOLLET.value();
            } else {
                mask = watchUrgent && epollOps.contains(EpollIoOps.EPOLLIN) ? epollOps.with(EPOLLPRI).value() : epollOps.value();
            }
            if (!handler.executor.isExecutorThread(Thread.currentThread())) {
                return submitNow(mask);
            }
            if (wanted == NONE) {
                handler.changed.add(this);
            }
            wanted = mask;
            return epollOps.value();
        }

        /** Sends the last mask asked for to the kernel, unless the kernel has it already or the socket is gone. */
        void apply() {
            int mask = wanted;
            wanted = NONE;
            if (mask != NONE && mask != applied && epoll.isValid()) {
                submitNow(mask);
            }
        }

        private long submitNow(int mask) {
            long result = epoll.submit(EpollIoOps.valueOf(mask));
            applied = mask;
            return result;
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
            wanted = NONE;
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
