package org.balance.relay;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;

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
 */
final class EpollKeepRegistered {
    private EpollKeepRegistered() {
    }

    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(io.netty.util.concurrent.ThreadAwareExecutor executor) {
                return new Handler(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    private record Handler(IoHandler epoll) implements IoHandler {
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
            return new Registration(epoll.register(handle));
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

    private record Registration(IoRegistration epoll) implements IoRegistration {
        @Override
        public long submit(IoOps ops) {
            boolean empty = ((EpollIoOps) ops).value() == 0;
            return epoll.submit(empty ? EpollIoOps.EPOLLET : ops);
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
}
