#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and loopback integration tests (*IT) against the real jar,
# and the Debian package built by the deb profile (installed and purged again when run as root).
set -euo pipefail
cd "$(dirname "$0")"

# What the tests use beyond the JDK and Maven: ps and pgrep (procps), man and groff (man-db, groff-base),
# setsid (util-linux), python3 (UrgentDataIT's peers: Java cannot read urgent data), and for the dashboard's
# browser test headless chromium and its WebDriver (chromium, chromium-driver), lintian for the package, and for the
# PROXY protocol tests (ProxyProtocolIT) the real consumers and producer of the headers (nginx-light, haproxy), and
# for --resolve and --dns (DnsIT) a real DNS server on loopback (dnsmasq-base: the program, no system service), and
# for the failover pair (FailoverPairIT) keepalived and ip (iproute2) to build its network namespaces.
# Installed from Debian's packages when missing and we may; only the programs: a policy-rc.d of our own keeps the
# packages from starting services of theirs (nginx on port 80, keepalived, haproxy) on a machine without systemd.
missing=()
{ command -v ps && command -v pgrep; } >/dev/null 2>&1 || missing+=(procps)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
[ -x /usr/sbin/keepalived ] || missing+=(keepalived)
{ [ -x /usr/sbin/ip ] || [ -x /bin/ip ]; } || missing+=(iproute2)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q
  policy=/usr/sbin/policy-rc.d
  ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# test.sh: install programs, start no service\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    ours=1
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  [ "$status" = 0 ] || exit "$status"
fi

exec mvn -B -Pdeb verify "$@"
