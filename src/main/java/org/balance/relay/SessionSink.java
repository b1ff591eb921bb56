package org.balance.relay;

/** Where ended sessions go ({@code --log-sessions}); called on the session's event loop, so it must not block. */
public interface SessionSink {
    void ended(SessionRecord session);
}
