#!/usr/bin/env bash
# Makes sure the real tools the test suite runs against are installed: promtool and amtool
# (Debian prometheus, prometheus-alertmanager), nginx, mtail and openssl. kubectl and terraform are expected on
# the machine. Installs missing Debian packages when it can (root + apt-get); otherwise says what
# is missing and leaves it to the tests, which skip with a notice locally and fail under CI.
set -uo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
# mtail turns the gateway's per-request lines into metrics in the gateway log-metrics test.
command -v mtail >/dev/null 2>&1 || missing+=(mtail)
# openssl makes the throwaway CAs of the gateway mTLS tests.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' services from starting: the tests start their own processes.
  policy=/usr/sbin/policy-rc.d
  created_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=true
  fi
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  status=$?
  [ "$created_policy" = true ] && rm -f "$policy"
  exit $status
fi
echo "install-test-tools: NOTICE: missing ${missing[*]} (install with: sudo apt-get install -y ${missing[*]}); the tests that need them will be skipped" >&2
exit 0
