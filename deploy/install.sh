#!/usr/bin/env bash
# Installs netscan as a systemd service from a checkout, in the same layout as the .deb:
#   /usr/lib/netscan/netscan             launcher (scripts/run-jar): finds Java 25 at every start
#   /usr/lib/netscan/jdk.sh              how it finds Java 25 (scripts/jdk.sh, the scripts' own logic)
#   /usr/lib/netscan/netscan-cli.jar     built first: bash scripts/netscan --version
#   /etc/systemd/system/netscan.service  (the .deb: /usr/lib/systemd/system), not enabled
#   /etc/netscan/netscan.yml, netscan.env   written once, never overwritten
#   /var/lib/netscan                     state (data_dir), owned by the netscan system user
#   /usr/share/doc/netscan/README.md     the unit's Documentation=
# Usage:
#   sudo deploy/install.sh          on this machine: creates the user, installs, systemctl daemon-reload.
#                                   Refuses when the service would find no Java 25, saying what to install.
#   deploy/install.sh --root DIR    the same files under DIR only (packaging, tests): no user, no chown,
#                                   no systemctl; Java 25 is looked for as the caller would find it.
# Idempotent.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '/^# Usage:/,/^# Idempotent/p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 1; }

root=
while [ $# -gt 0 ]; do
  case $1 in
    --root) [ $# -ge 2 ] && [ -n "$2" ] || die "--root needs a directory"; root=$2; shift 2 ;;
    --root=*) root=${1#--root=}; [ -n "$root" ] || die "--root needs a directory"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -n "$root" ]; then
  root=$(realpath -m "$root")
  [ "$root" != / ] || die "--root / is this machine: run without --root (as root) instead"
else
  [ "$(id -u)" = 0 ] || die "run as root (it creates a user and writes /usr/lib, /etc, /var/lib), or use --root DIR"
fi

jar=$src/netscan-cli/target/netscan-cli.jar
[ -f "$jar" ] || die "$jar not found; build it first: bash scripts/netscan --version"

# Java 25, looked for by the launcher's own logic. On this machine: as the service will look, with the
# unit's environment (systemd's PATH, JAVA_HOME only from the env file), not the caller's.
check_java=(bash -c 'NETSCAN_JAVA_RUNTIME=1; . "$1"; printf "%s" "$JAVA_HOME"' check-java "$src/scripts/jdk.sh")
if [ -z "$root" ]; then
  env_java=
  if [ -f /etc/netscan/netscan.env ]; then
    env_java=$(sed -n 's/^JAVA_HOME=["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' /etc/netscan/netscan.env | tail -n 1)
  fi
  check_java=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${env_java:+JAVA_HOME=$env_java} "${check_java[@]}")
fi
java_home=$("${check_java[@]}") || die "refusing to install: the service would not start without Java 25 (see above)"

[ -z "$root" ] || mkdir -p "$root"
own=()     # owner and group, on this machine only
svc=()
if [ -z "$root" ]; then
  getent group netscan >/dev/null || groupadd --system netscan
  getent passwd netscan >/dev/null || useradd --system --gid netscan --home-dir /var/lib/netscan --shell /usr/sbin/nologin netscan
  own=(-o root -g root)
  svc=(-o root -g netscan)
fi

install -d -m 0755 "$root/usr/lib/netscan" "$root/usr/share/doc/netscan" "$root/etc/systemd/system"
install "${own[@]}" -m 0644 "$jar" "$root/usr/lib/netscan/netscan-cli.jar"
install "${own[@]}" -m 0644 "$src/scripts/jdk.sh" "$root/usr/lib/netscan/jdk.sh"
install "${own[@]}" -m 0755 "$src/scripts/run-jar" "$root/usr/lib/netscan/netscan"
install "${own[@]}" -m 0644 "$src/README.md" "$root/usr/share/doc/netscan/README.md"
install "${own[@]}" -m 0644 "$src/LICENSE" "$root/usr/share/doc/netscan/copyright"
install "${own[@]}" -m 0644 "$src/deploy/netscan.service" "$root/etc/systemd/system/netscan.service"

install -d "${svc[@]}" -m 0750 "$root/etc/netscan"
if [ ! -e "$root/etc/netscan/netscan.yml" ]; then
  sed 's#^data_dir: .*#data_dir: /var/lib/netscan#' "$src/netscan.example.yml" >"$root/etc/netscan/netscan.yml.new"
  chmod 0640 "$root/etc/netscan/netscan.yml.new"
  [ -n "$root" ] || chown root:netscan "$root/etc/netscan/netscan.yml.new"
  mv "$root/etc/netscan/netscan.yml.new" "$root/etc/netscan/netscan.yml"
  echo "install.sh: wrote $root/etc/netscan/netscan.yml: set 'networks' before starting"
fi
[ -e "$root/etc/netscan/netscan.env" ] || install "${svc[@]}" -m 0640 "$src/deploy/netscan.env" "$root/etc/netscan/netscan.env"
if [ -n "$root" ]; then
  install -d -m 0750 "$root/var/lib/netscan"
else
  install -d -o netscan -g netscan -m 0750 /var/lib/netscan
fi

if [ -n "$root" ]; then
  echo "install.sh: installed under $root (Java 25 for it here: $java_home)"
  exit 0
fi
[ ! -e /opt/netscan/netscan-cli.jar ] || echo "install.sh: /opt/netscan (the old layout) is no longer used; remove it"
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
else
  echo "install.sh: systemd is not running here; the unit takes effect when it is"
fi
echo "install.sh: done; the service will run $java_home/bin/java. Put secrets (SNMP_COMMUNITY=..., INFLUXDB_TOKEN=...)"
echo "  in /etc/netscan/netscan.env, set 'networks' in /etc/netscan/netscan.yml, then:"
echo "  systemctl enable --now netscan && journalctl -u netscan -f"
