package org.balance.health;

import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.balance.balancing.Endpoint;
import org.balance.health.CheckAction.Command;
import org.balance.health.CheckAction.Connect;
import org.balance.relay.Transport;

/**
 * Runs one check: the plan's actions in order against a channel's endpoint, stopping at the first that does
 * not pass; reports once, on the given event loop, at the latest when the actions' timeouts are up.
 */
public final class Checker {
    private final TcpProbe tcp;
    private final CommandProbe commands = new CommandProbe();

    /** @param source the {@code -B} address checks connect from, or null */
    public Checker(Transport transport, InetAddress source) {
        this.tcp = new TcpProbe(transport, source);
    }

    /** Checks {@code endpoint}; {@code done} gets the first result that is not a pass, or a pass for the whole. */
    public void run(EventLoop loop, Endpoint endpoint, CheckPlan plan, Consumer<CheckResult> done) {
        long started = System.nanoTime();
        step(loop, endpoint, plan.actions(), 0, result -> {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            done.accept(new CheckResult(result.outcome(), result.reason(), millis));
        });
    }

    private void step(EventLoop loop, Endpoint endpoint, List<CheckAction> actions, int index, Consumer<CheckResult> done) {
        CheckAction action = actions.get(index);
        Attempt attempt = new Attempt(loop, result -> {
            if (result.passed() && index + 1 < actions.size()) {
                step(loop, endpoint, actions, index + 1, done);
            } else {
                done.accept(result);
            }
        });
        InetSocketAddress address = endpoint.address();
        if (!loop.inEventLoop()) {
            loop.execute(() -> start(attempt, address, action));
        } else {
            start(attempt, address, action);
        }
    }

    private void start(Attempt attempt, InetSocketAddress address, CheckAction action) {
        if (action instanceof Connect c) {
            tcp.run(attempt, c.port() == 0 ? address : new InetSocketAddress(address.getAddress(), c.port()), c);
        } else if (action instanceof Command c) {
            commands.run(attempt, address, c);
        }
    }

    /** Kills the commands still running. */
    public void close() {
        commands.close();
    }
}
