package org.balance.policy;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.balance.log.Log;
import org.balance.relay.SessionRecord;
import org.balance.relay.SessionSink;

/**
 * {@code --log-sessions}, off the event loops: an ended session is put on a bounded queue (never waiting: when it is
 * full the record is dropped and counted), and one thread of the instance formats the lines and writes them to the
 * instance's log (stderr in the foreground, syslog in the background). Dropped lines are reported by a line of their
 * own once there is room.
 */
public final class SessionLog implements SessionSink, AutoCloseable {
    /** Ended sessions that may wait for the writer. */
    static final int CAPACITY = 8192;

    private final BlockingQueue<SessionRecord> queue;
    private final LongAdder dropped = new LongAdder();
    private final Log log;
    private final Thread writer;
    private volatile boolean closing;
    private long reportedDrops;

    private SessionLog(Log log, int capacity, String name) {
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::write, name);
        writer.setDaemon(true);
    }

    /** Starts the writer thread, named {@code name}. */
    public static SessionLog start(Log log, String name) {
        return start(log, CAPACITY, name);
    }

    static SessionLog start(Log log, int capacity, String name) {
        SessionLog l = new SessionLog(log, capacity, name);
        l.writer.start();
        return l;
    }

    @Override
    public void ended(SessionRecord session) {
        if (!queue.offer(session)) {
            dropped.increment();
        }
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void write() {
        try {
            while (true) {
                SessionRecord r = queue.poll(100, TimeUnit.MILLISECONDS);
                if (r != null) {
                    log.notice(SessionLine.format(r));
                }
                reportDrops();
                if (r == null && closing) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reportDrops() {
        long d = dropped.sum();
        if (d > reportedDrops) {
            log.notice("session log: " + (d - reportedDrops) + " lines dropped, the writer fell behind");
            reportedDrops = d;
        }
    }

    /** Writes what is queued (for at most two seconds) and stops the thread. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
