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
            if (create(session.group(), args, out)) {
                session.health().channelsChanged(null);
            }
        } else {
            Destination d = assign(session.group(), args, out, session.health().isConfigured());
            if (d != null) {
                session.health().channelsChanged(d);
            }
        }
        return After.CONTINUE;
    }

    /** Returns true if a channel was created. */
    private boolean create(DestinationGroup group, Arguments args, StringBuilder out) throws SyntaxError {
        if (group.isFull()) {
            out.append("no channel slots available\n");
            return false;
        }
        Endpoint endpoint = endpoint(args.word(0), args.word(1));
        if (endpoint == null) {
            out.append("invalid address\n");
        } else if (group.add(new Destination(endpoint, 0, false)) < 0) {
            out.append("no channel slots available\n");
        } else {
            out.append("channel created\n");
            return true;
        }
        return false;
    }

    /**
     * Returns the reassigned channel, or null. Without checks any channel out of service may be reassigned, as
     * in the original (where autodisable disabled it); with checks, as in balance.fm, only one the operator
     * disabled, since checks may bring back any other at any moment.
     */
    private Destination assign(DestinationGroup group, Arguments args, StringBuilder out, boolean checks) throws SyntaxError {
        BigInteger n = args.number(0);
        Destination d = group.channel(Arguments.index(n, Integer.MAX_VALUE));
        if (d == null) {
            out.append("unknown channel\n");
            return null;
        }
        if (checks ? d.isEnabled() : d.isInService()) {
            out.append("channel must be disabled to assign new address\n");
            return null;
        }
        Endpoint endpoint = endpoint(args.word(1), args.word(2));
        if (endpoint == null) {
            out.append("invalid address\n");
        } else if (!group.assign(n.intValue(), endpoint)) {
            out.append("channel must be disabled to assign new address\n");
        } else {
            out.append("channel reassigned\n");
            return d;
        }
        return null;
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
