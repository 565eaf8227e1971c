#!/usr/bin/env bash
# Installs netscan as a systemd service: a dedicated user, the jar in /opt/netscan, the config in
# /etc/netscan, state in /var/lib/netscan. Run as root from a checkout after building
# (netscan-cli/target/netscan-cli.jar). Idempotent: an existing config is never overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root (it creates a user and writes /opt, /etc, /var/lib)" >&2; exit 1; }
jar=netscan-cli/target/netscan-cli.jar
[ -f "$jar" ] || { echo "install.sh: $jar not found; build it first: bash scripts/scan --help" >&2; exit 1; }
command -v systemctl >/dev/null || { echo "install.sh: systemd not found; run the jar under your own supervisor" >&2; exit 1; }

getent group netscan >/dev/null || groupadd --system netscan
getent passwd netscan >/dev/null || useradd --system --gid netscan --home-dir /var/lib/netscan --shell /usr/sbin/nologin netscan
install -d -o root -g root -m 0755 /opt/netscan
install -o root -g root -m 0644 "$jar" /opt/netscan/netscan-cli.jar
install -d -o root -g netscan -m 0750 /etc/netscan
if [ ! -f /etc/netscan/netscan.yml ]; then
  install -o root -g netscan -m 0640 netscan.example.yml /etc/netscan/netscan.yml
  sed -i 's#^data_dir: .*#data_dir: /var/lib/netscan#' /etc/netscan/netscan.yml
  echo "install.sh: wrote /etc/netscan/netscan.yml: edit 'networks' before starting"
fi
[ -f /etc/netscan/netscan.env ] || install -o root -g netscan -m 0640 /dev/null /etc/netscan/netscan.env
install -d -o netscan -g netscan -m 0750 /var/lib/netscan
install -o root -g root -m 0644 deploy/netscan.service /etc/systemd/system/netscan.service
systemctl daemon-reload
echo "install.sh: done. Put secrets (SNMP_COMMUNITY=..., INFLUXDB_TOKEN=...) in /etc/netscan/netscan.env, then:"
echo "  systemctl enable --now netscan && journalctl -u netscan -f"
