# Shared by ./run and ./test: install and start the local stand-ins for Azure Storage and SMTP.
# Source it; it defines functions and never exits the caller's shell on its own.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

ensure_node_tools() {
  if [ ! -x node_modules/.bin/azurite ] || [ ! -x node_modules/.bin/maildev ]; then
    echo "==> installing Azurite and maildev (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

# wait_for_port PORT NAME [SECONDS]
wait_for_port() {
  local port=$1 name=$2 limit=${3:-60} i
  for ((i = 0; i < limit * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "error: $name did not open 127.0.0.1:$port within ${limit}s" >&2
  return 1
}

# start_azurite BLOB_PORT LOG [--location DIR | --inMemoryPersistence]
start_azurite() {
  local blob=$1 log=$2; shift 2
  node_modules/.bin/azurite --silent --skipApiVersionCheck --loose "$@" \
    --blobHost 127.0.0.1 --blobPort "$blob" \
    --queueHost 127.0.0.1 --queuePort $((blob + 1)) \
    --tableHost 127.0.0.1 --tablePort $((blob + 2)) >"$log" 2>&1 &
  echo $!
}

# start_maildev SMTP_PORT WEB_PORT LOG
start_maildev() {
  node_modules/.bin/maildev --ip 127.0.0.1 --web-ip 127.0.0.1 --smtp "$1" --web "$2" >"$3" 2>&1 &
  echo $!
}

# Debian's dnsmasq (package dnsmasq-base: the server alone, no system service) answers the tests' DNS zone.
ensure_dnsmasq() {
  command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] && return 0
  echo "==> installing Debian's dnsmasq-base (a DNS server for the URL-host tests)"
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: dnsmasq is missing; install it as root: apt-get install dnsmasq-base" >&2; return 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsmasq-base >/dev/null
}

# start_dnsmasq PORT LOG: the test zone desk.test on 127.0.0.1:PORT (UDP and TCP); any other name in it is NXDOMAIN,
# and nothing is forwarded anywhere. Addresses are the tests' allocations (tests/Functions.Tests/DeskApp.cs).
start_dnsmasq() {
  local dnsmasq
  dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
  "$dnsmasq" --keep-in-foreground --port="$1" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --no-poll --pid-file= --user="$(id -un)" --local=/desk.test/ \
    --host-record=phish.desk.test,2001:db8:94::9 \
    --host-record=multi.desk.test,198.18.0.1,2001:db8:ffff::5,2001:db8:94::10 \
    --host-record=outside.desk.test,2001:db8:ffff::7 \
    --log-facility=- --log-queries >"$2" 2>&1 &
  echo $!
}

# Azurite's well-known development key; every local account uses it.
AZURITE_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# azurite_connection_string BLOB_PORT [ACCOUNT] (another account must be listed in AZURITE_ACCOUNTS when Azurite starts)
azurite_connection_string() {
  local blob=$1 account=${2:-devstoreaccount1}
  echo "DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$((blob + 1))/$account;TableEndpoint=http://127.0.0.1:$((blob + 2))/$account;"
}

random_secret() { head -c "${1:-32}" /dev/urandom | base64 | tr -d '\n'; }
random_key() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
