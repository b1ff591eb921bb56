package org.balance.control;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Endpoint;
import org.balance.cli.Services;

/**
 * {@code create HOST PORT} appends a channel to the current group, disabled, as the original does, so that
 * it can be checked before {@code enable}. {@code assign N HOST PORT} points a disabled channel elsewhere.
 * The port is a number or a service name. Resolving may block, so the control server never runs commands
 * on an I/O thread.
 */
final class AddressCommand implements CommandHandler {
    private final boolean create;
    private final HostResolver resolver;

    private AddressCommand(boolean create, HostResolver resolver) {
        this.create = create;
        this.resolver = resolver;
    }

    static AddressCommand create(HostResolver resolver) {
        return new AddressCommand(true, resolver);
    }

    static AddressCommand assign(HostResolver resolver) {
        return new AddressCommand(false, resolver);
    }

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        if (create) {
            create(session.group(), args, out);
        } else {
            assign(session.group(), args, out);
        }
        return After.CONTINUE;
    }

    private void create(DestinationGroup group, Arguments args, StringBuilder out) throws SyntaxError {
        if (group.isFull()) {
            out.append("no channel slots available\n");
            return;
        }
        Endpoint endpoint = endpoint(args.word(0), args.word(1));
        if (endpoint == null) {
            out.append("invalid address\n");
        } else if (group.add(new Destination(endpoint, 0, false)) < 0) {
            out.append("no channel slots available\n");
        } else {
            out.append("channel created\n");
        }
    }

    private void assign(DestinationGroup group, Arguments args, StringBuilder out) throws SyntaxError {
        BigInteger n = args.number(0);
        Destination d = group.channel(Arguments.index(n, Integer.MAX_VALUE));
        if (d == null) {
            out.append("unknown channel\n");
            return;
        }
        if (d.isEnabled()) {
            out.append("channel must be disabled to assign new address\n");
            return;
        }
        Endpoint endpoint = endpoint(args.word(1), args.word(2));
        if (endpoint == null) {
            out.append("invalid address\n");
        } else if (!d.assign(endpoint)) {
            out.append("channel must be disabled to assign new address\n");
        } else {
            out.append("channel reassigned\n");
        }
    }

    /** The endpoint for a host word and a port word, or null if either is invalid. */
    private Endpoint endpoint(String host, String portWord) {
        int port = Services.port(portWord);
        if (port < 0) {
            return null;
        }
        try {
            InetAddress address = resolver.resolve(host);
            return Endpoint.of(host, address, port);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
