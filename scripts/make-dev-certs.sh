#!/usr/bin/env bash
# Makes a development CA and a certificate + key per name, offline, with openssl (1.1.1 or later): mutual TLS
# between the services (gRPC, TCP) and TLS to NATS and Redis.
#
#   scripts/make-dev-certs.sh ./certs orders inventory payments notifications gateway nats redis
#
# Writes <dir>/ca.pem and <dir>/ca.key.pem (made on the first run, reused after, so names added later share the
# CA), and per name <dir>/<name>.pem and <dir>/<name>.key.pem: an EC P-256 key (mode 0600) and a certificate
# signed by the CA, for both server and client use, with CN <name> and the subject alternative names
# DNS:<name> (its docker compose service name), DNS:localhost and IP:127.0.0.1, plus any given with --san.
# Prints the settings to use.
#
# Options: --days N (certificate lifetime, default 825), --ca-days N (CA lifetime, default 3650),
#          --san LIST (more names for every certificate made, e.g. "DNS:orders.internal,IP:10.0.0.5"),
#          --force (replace existing certificates of the names given; the CA is kept).
# A development CA only: keep ca.key.pem private, and use your organisation's CA in production.
set -euo pipefail

fail() { echo "make-dev-certs: $*" >&2; exit 2; }

days=825
ca_days=3650
extra_san=''
force=0
names=()
dir=''
while [ $# -gt 0 ]; do
  case "$1" in
    --days) [ $# -ge 2 ] || fail '--days needs a value'; days="$2"; shift 2 ;;
    --ca-days) [ $# -ge 2 ] || fail '--ca-days needs a value'; ca_days="$2"; shift 2 ;;
    --san) [ $# -ge 2 ] || fail '--san needs a value'; extra_san="$2"; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) fail "unknown option $1" ;;
    *) if [ -z "$dir" ]; then dir="$1"; else names+=("$1"); fi; shift ;;
  esac
done
[ -n "$dir" ] && [ ${#names[@]} -gt 0 ] || fail 'usage: make-dev-certs.sh [--days N] [--ca-days N] [--san LIST] [--force] <dir> <name>...'
[[ "$days" =~ ^[1-9][0-9]{0,4}$ ]] || fail "--days must be a positive number of days, got \"$days\""
[[ "$ca_days" =~ ^[1-9][0-9]{0,4}$ ]] || fail "--ca-days must be a positive number of days, got \"$ca_days\""
[ -z "$extra_san" ] || [[ "$extra_san" =~ ^((DNS|IP):[A-Za-z0-9.:*-]+)(,(DNS|IP):[A-Za-z0-9.:*-]+)*$ ]] \
  || fail "--san must be a list like DNS:name,IP:10.0.0.5, got \"$extra_san\""
for name in "${names[@]}"; do
  [[ "$name" =~ ^[a-z0-9][a-z0-9.-]{0,62}$ ]] || fail "\"$name\" is not a name (a-z, 0-9, . and -)"
done
command -v openssl >/dev/null || fail 'openssl is not installed'

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ca="$dir/ca.pem"
ca_key="$dir/ca.key.pem"
if [ -e "$ca" ] || [ -e "$ca_key" ]; then
  [ -e "$ca" ] && [ -e "$ca_key" ] || fail "$dir has only one of ca.pem and ca.key.pem"
  echo "using the CA in $ca" >&2
else
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ca_key" 2>/dev/null
  openssl req -x509 -new -sha256 -key "$ca_key" -days "$ca_days" -subj "/CN=Switchboard development CA" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'subjectKeyIdentifier=hash' -out "$ca"
  chmod 644 "$ca"
  echo "made the CA $ca" >&2
fi

for name in "${names[@]}"; do
  cert="$dir/$name.pem"
  key="$dir/$name.key.pem"
  if [ "$force" = 0 ] && { [ -e "$cert" ] || [ -e "$key" ]; }; then
    echo "kept $cert (--force to replace it)" >&2
    continue
  fi
  san="DNS:$name,DNS:localhost,IP:127.0.0.1${extra_san:+,$extra_san}"
  cat > "$work/ext.cnf" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
  openssl req -new -sha256 -key "$work/key.pem" -subj "/CN=$name" -out "$work/csr.pem"
  openssl x509 -req -sha256 -in "$work/csr.pem" -CA "$ca" -CAkey "$ca_key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -extfile "$work/ext.cnf" -out "$work/cert.pem" 2>/dev/null
  mv "$work/key.pem" "$key"
  mv "$work/cert.pem" "$cert"
  chmod 600 "$key"
  chmod 644 "$cert"
  echo "made $cert ($san)" >&2
done

cat <<EOF
# Every service (one environment for all: {service} is replaced by each app's service name):
TLS_CA_FILE=$ca
TLS_CERT_FILE=$dir/{service}.pem
TLS_KEY_FILE=$dir/{service}.key.pem
# Brokers, with client certificates required (if you made the nats and redis certificates):
#   nats-server -js --tlsverify --tlscert $dir/nats.pem --tlskey $dir/nats.key.pem --tlscacert $ca
#   redis-server --port 0 --tls-port 6379 --tls-cert-file $dir/redis.pem --tls-key-file $dir/redis.key.pem \\
#     --tls-ca-cert-file $ca --tls-auth-clients yes
# and point the apps at them: NATS_URL=tls://127.0.0.1:4222 REDIS_URL=rediss://127.0.0.1:6379
# (containers read the files where the folder is mounted, e.g. ./certs:/certs:ro, with the paths above under /certs;
#  the keys are mode 0600: make them readable by the user the apps run as)
EOF
