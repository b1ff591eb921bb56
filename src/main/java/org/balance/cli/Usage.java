package org.balance.cli;

/** The usage text: on standard error after a usage error, on standard output for {@code --help}. */
public final class Usage {
    public static final String VERSION = "4.0";

    private Usage() {
    }

    public static String text() {
        return """
                balance %s - a TCP proxy with round robin load balancing and failover (Java)
                usage:
                  balance [-b addr] [-B addr] [-t sec] [-T sec] [-m spec] [-adfpHM6] \\
                          [--check[=spec]] [--check-OPTION value ...] [--stats [addr:]port] \\
                          [--stats-host name ...] [--drain-timeout sec] [--warmup sec] [--takeover] \\
                          [--hash classic|maglev] [--resolve sec] [--dns addr[:port]] \\
                          [--send-proxy[=spec]] [--send-proxy-v2[=spec]] [--accept-proxy] \\
                          [--source-limit n] [--allow cidr ...] [--deny cidr ...] [--log-sessions] \\
                          port [h1[:p1[:maxc1]] [!%%-] [ ... hN[:pN[:maxcN]]]]
                  balance --config file [--drain-timeout sec] [--warmup sec] [--takeover]
                  balance --config-test file
                  balance [-b addr] -i [-d] [-M] port
                  balance [-b addr] -c cmd [-d] [-M] port
                  balance --help | --version

                  -6        listen on an IPv6 socket (IPv4 clients still arrive, as ::ffff:a.b.c.d)
                  -a        enable channel autodisable option
                  -b host   bind to specific address on listen
                  -B host   bind to specific address for outgoing connections
                  -c cmd    execute specified interactive command
                  -d        debugging on
                  -f        stay in foreground
                  -i        interactive control
                  -H        failover even if Hash Type is used
                  -m spec   health checks, balance.fm's syntax, e.g. connect:interval=10 or
                            command=/usr/local/bin/check %%H %%P:pass=0,2 (see man balance)
                  -M        accepted for compatibility; the control channel is a Unix socket
                            and needs no shared memory or memory mapped file
                  -p        packetdump
                  -t sec    specify connect timeout in seconds (default=%d)
                  -T sec    idle timeout in seconds: end sessions without traffic (default=0, never)
                  --check[=spec]            health checks with HAProxy's defaults (connect every 2 s,
                                            rise 2, fall 3); spec as for -m, may name group=G
                                            or channel=G.C
                  --check-interval sec      check every sec seconds (0.5, 2, 500ms)
                  --check-timeout sec       give up a check after sec (default: interval, at most -t)
                  --check-rise n            passes in a row that bring a channel back (default 2)
                  --check-fall n            failures in a row that take it out (default 3)
                  --check-port port         connect to this port instead of the channel's
                  --check-send text         send text (\\r \\n \\t \\xHH escapes) once connected
                  --check-expect text       the reply must start with text
                  --check-expect-regex re   the reply must match the regular expression re
                  --stats [addr:]port       statistics on http://addr:port/ (loopback unless addr
                                            is given): /metrics (Prometheus), /status.json and a
                                            dashboard (see docs/METRICS.md)
                  --stats-host name         a name in the Host header that the statistics answer
                                            besides their address and localhost (repeatable)
                  --drain-timeout sec       a stop (SIGTERM, kill) waits at most sec for the
                                            sessions in progress (default: for all of them)
                  --warmup sec              once ready and before accepting, run sessions through the
                                            relay on loopback until the JIT compilers are done, at
                                            most sec (clients meanwhile wait in the kernel's queue)
                  --takeover                take the listening socket over from the balance that
                                            serves the same port and -b address (it drains)
                  --hash classic|maglev     how hash groups (%%) map clients: classic, the original's
                                            modulo (default), or maglev, consistent hashing that
                                            moves only a stopped channel's clients
                  --resolve sec             resolve the channels' names again every sec seconds
                                            (sooner if their TTL says so): new sessions go to a
                                            new address, a name that fails keeps its last one
                  --dns addr[:port]         ask this DNS server for the channels' names (at start
                                            and with --resolve) instead of /etc/resolv.conf's
                  --send-proxy[=spec]       a PROXY protocol v1 header with the client's address
                                            first on every connection to a channel; spec
                                            group=G or channel=G.C, :off for none there
                  --send-proxy-v2[=spec]    the same with a v2 (binary) header
                  --accept-proxy            every client starts with a PROXY header (v1 or v2)
                                            from a front proxy, within 3 s: its address is
                                            the client's (hash, --send-proxy, logs)
                  --source-limit n          at most n sessions at once per client address (IPv6:
                                            per /64); more are reset at once (1-100000)
                  --allow cidr              serve only clients in these blocks (repeatable;
                                            10.0.0.0/8, 2001:db8::/32, or an address)
                  --deny cidr               refuse clients in these blocks (repeatable; deny wins)
                  --log-sessions            one line per session when it ends: addresses, channel,
                                            connect time, duration, bytes, how it ended
                  --config file             serve every command line of file in this process;
                                            SIGHUP reads it again and applies it in place
                  --config-test file        check file as --config would read it
                   !        separates channelgroups (declaring previous to be Round Robin)
                   %%        as !, but declaring previous group to be a Hash Type
                   -        as !, but declaring previous group to be Least Connections

                  channels: host[:port[:maxc[:weight]]], IPv6 hosts in brackets: [2001:db8::1]:80:16
                            weight 0-1000 (default 1): share of the group's new sessions

                examples:
                  balance smtp mailhost1:smtp mailhost2:25 mailhost3
                  balance -i smtp
                  balance -b 2001:DB8::1 80 10.1.1.1 10.1.1.2
                  balance imap mailserver1::16 ! mailserver2
                """.formatted(VERSION, Options.DEFAULT_CONNECT_TIMEOUT);
    }
}
