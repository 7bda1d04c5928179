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

# stop_processes PID... — TERM, then wait until each has gone (KILL after 10 s). The servers are started inside $( ),
# so they are not this shell's children and `wait` returns at once; Azurite on disk still saving its database when
# the caller then removed its folder was left running after 3 of 7 benchmark runs.
stop_processes() {
  local pid i
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
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
# and nothing is forwarded anywhere. Addresses are the tests' allocations (tests/Functions.Tests/DeskApp.cs); the TXT
# record is a DKIM public key (selector dkim2026) in two strings, for tests/Functions.Tests/Intake/DkimKeysFromDnsTests.cs.
start_dnsmasq() {
  local dnsmasq
  dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
  "$dnsmasq" --keep-in-foreground --port="$1" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --no-poll --pid-file= --user="$(id -un)" --local=/desk.test/ \
    --host-record=phish.desk.test,2001:db8:94::9 \
    --host-record=multi.desk.test,198.18.0.1,2001:db8:ffff::5,2001:db8:94::10 \
    --host-record=outside.desk.test,2001:db8:ffff::7 \
    --txt-record="dkim2026._domainkey.desk.test,v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuT+4QddWj6u2YF4V5Q95VvKxXT41PrK/PuZKg/LUrQbu4K9gx/TEBil7XzuKURcBxjaU1ge/P+oDdVk4fzNQb+sw1rSv8FtayOOklCvOeKZlEmDzC2OD6adSRu+8fwC6H0dLC8dKpK8aQjkHNz1vzUULIZe1,qXk5XSCt/EiW1SqsbL+DafoKCUeNR/cOl+7jeL9isfTXvVTK4trYIse47lq+JyKOGi6/+KP6O8Yt9525o+7AOlRT4t0BvgktXZyH1h4UMlK8P4CGydL3HPKPohNKFz83/0+eyvWFZDTlh0aHZ90tKk8x6R6OSOEnbUKGh19mT+Lg0gj3pSNyslSj+QIDAQAB" \
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

# Debian's dovecot (package dovecot-imapd) is the tests' and ./run's IMAP server. We never use its system service
# (the package may start one on 143/993 with /etc/dovecot); start_dovecot runs a private instance with its own config.
ensure_dovecot() {
  [ -x /usr/sbin/dovecot ] && return 0
  echo "==> installing Debian's dovecot-imapd (a local IMAP server for the mailbox tests)"
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: dovecot is missing; install it as root: apt-get install dovecot-imapd" >&2; return 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  [ -x /usr/sbin/dovecot ] || { echo "error: installing dovecot-imapd did not provide /usr/sbin/dovecot" >&2; return 1; }
}

# dovecot_mail_owner: the account that owns the maildirs. Dovecot refuses mail access as root ("Mail access not
# allowed for root"), so under root mail belongs to nobody; otherwise everything runs as the current user.
dovecot_mail_owner() { if [ "$(id -u)" -eq 0 ]; then echo nobody; else id -un; fi; }

# start_dovecot DIR IMAP_PORT IMAPS_PORT USER PASSWORD: a private dovecot on 127.0.0.1 (plain IMAP and implicit-TLS
# IMAPS with a self-signed certificate), one passwd-file user whose INBOX is the Maildir DIR/mail/USER, folders below
# it in "/"-separated directories (LAYOUT=fs); config, sockets, cert and DIR/dovecot.log all live in DIR, so
# instances in different DIRs on different ports run side by side. Mail in DIR/mail survives a restart.
start_dovecot() {
  local dir=$1 imap=$2 imaps=$3 user=$4 password=$5
  case "$user$password" in *[:$'\n']*) echo "error: dovecot user and password may not contain ':' or newlines" >&2; return 1 ;; esac
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || return 1 # dovecot wants absolute paths
  local owner group uid gid
  owner=$(dovecot_mail_owner)
  uid=$(id -u "$owner") && gid=$(id -g "$owner") && group=$(id -gn "$owner") || return 1
  mkdir -p "$dir/run" "$dir/state" "$dir/mail/$user"/{cur,new,tmp}
  if [ "$(id -u)" -eq 0 ]; then
    # Root's master hands auth and mail to $owner, who must reach DIR: give search (x) to others on any directory
    # on the way that lacks it (mktemp -d makes 0700 ones).
    local d=$dir
    while [ "$d" != / ]; do
      if [ "$(($(stat -c '0%a' "$d") & 1))" -eq 0 ]; then
        echo "note: chmod o+x $d (dovecot's $owner must reach $dir)" >&2
        chmod o+x "$d" || return 1
      fi
      d=$(dirname "$d")
    done
  fi
  chown -R "$uid:$gid" "$dir/mail" "$dir/state"
  if [ ! -s "$dir/tls.key" ] || [ ! -s "$dir/tls.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1 || { echo "error: openssl could not make $dir/tls.crt" >&2; return 1; }
    chmod 600 "$dir/tls.key"
  fi
  # passwd-file: user:{PLAIN}password:uid:gid::home (the password is a test secret; PLAIN keeps it readable).
  (umask 077 && printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$user" "$password" "$uid" "$gid" "$dir/mail/$user" >"$dir/users")
  chown "$uid:$gid" "$dir/users" # read by the auth process, which runs as $owner

  # 2.4 rewrote the setting names and variables; Debian bookworm ships 2.3, trixie 2.4.
  local version common
  version=$(/usr/sbin/dovecot --version) || return 1
  # Shared by both versions: only IMAP, only loopback, no chroot, every service as $owner (unprivileged dovecot can't
  # switch users; as root the master drops to $owner), logs in DIR, a namespace with "/" as its separator, and
  # process titles named after the IMAP port so two instances can be told apart.
  # No 2 s pause after a failed login (tests try wrong passwords); tests may hold many connections at once.
  common="protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
instance_name = dovecot-$imap
log_path = $dir/dovecot.log
default_internal_user = $owner
default_internal_group = $group
default_login_user = $owner
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid
mail_uid = $uid
mail_gid = $gid
auth_mechanisms = plain login
auth_failure_delay = 0
mail_max_userip_connections = 100
ssl = yes
ssl_min_protocol = TLSv1.2
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $imap
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
}
service anvil {
  chroot =
}
service ipc {
  chroot =
}
service auth-worker {
  user = $owner
}"
  case "$version" in
    2.[0-3].*)
      cat >"$dir/dovecot.conf" <<CONF
# Written by scripts/services.sh start_dovecot for dovecot $version; regenerated on every start.
$common
disable_plaintext_auth = no
mail_location = maildir:$dir/mail/%u:LAYOUT=fs
ssl_cert = <$dir/tls.crt
ssl_key = <$dir/tls.key
passdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
service old-stats {
  chroot =
}
CONF
      ;;
    *)
      cat >"$dir/dovecot.conf" <<CONF
# Written by scripts/services.sh start_dovecot for dovecot $version; regenerated on every start.
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
$common
auth_allow_cleartext = yes
mail_driver = maildir
mail_path = $dir/mail/%{user}
mailbox_list_layout = fs
ssl_server_cert_file = $dir/tls.crt
ssl_server_key_file = $dir/tls.key
passdb passwd-file {
  passwd_file_path = $dir/users
}
userdb passwd-file {
  passwd_file_path = $dir/users
}
CONF
      ;;
  esac
  /usr/sbin/dovecot -F -c "$dir/dovecot.conf" >>"$dir/dovecot.log" 2>&1 &
  echo $!
}

# dovecot_deliver DIR USER FILE: drops the raw RFC 822 message FILE into USER's INBOX as a new mail, the Maildir way
# (write under tmp/, then rename into new/ so dovecot never sees half a message), without SMTP or LDA.
dovecot_deliver() {
  local maildir=$1/mail/$2 file=$3 name
  [ -d "$maildir/new" ] && [ -d "$maildir/tmp" ] || { echo "error: $maildir is not a maildir (start_dovecot creates it)" >&2; return 1; }
  [ -f "$file" ] || { echo "error: no message file $file" >&2; return 1; }
  # time.M<usec>P<pid>R<random>.host: unique per delivery, as Maildir names must be.
  local sec nsec
  read -r sec nsec < <(date '+%s %N')
  name="$sec.M${nsec:0:6}P${BASHPID}R$(od -An -N4 -tu4 /dev/urandom | tr -d ' ').$(hostname | tr '/:' '_.')"
  cp "$file" "$maildir/tmp/$name" || return 1
  chown --reference="$maildir" "$maildir/tmp/$name" 2>/dev/null || true # root delivering for an unprivileged owner
  mv "$maildir/tmp/$name" "$maildir/new/$name"
}
