# Sourced by the project's scripts and by the installed launcher (/usr/lib/netscan/netscan, from
# scripts/run-jar): finds a Java 25 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 25+, then $NETSCAN_JVM_DIR/* (default /usr/lib/jvm; Temurin first), then the
# JDK of `javac` on PATH. The build needs a JDK (javac); with NETSCAN_JAVA_RUNTIME=1 (the launcher) a
# runtime is enough and `java` on PATH counts instead.
# When none is found it says what to install and exits: 1, or 78 (EX_CONFIG) with NETSCAN_JAVA_RUNTIME=1,
# a status the systemd unit does not restart on.

netscan_java_feature() { # prints the feature release (e.g. 25) of the Java at $1, or nothing
  local home=$1 v=
  [ -x "$home/bin/java" ] || return 0
  [ "${NETSCAN_JAVA_RUNTIME:-}" = 1 ] || [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then # read with built-ins: the launcher runs this at every start
    local line
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=\"[0-9]*) v=${line#JAVA_VERSION=\"}; v=${v%%[!0-9]*}; break ;;
      esac
    done <"$home/release"
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  printf '%s' "$v"
}

netscan_find_jdk() {
  local cand v jvms=${NETSCAN_JVM_DIR:-/usr/lib/jvm} tool=javac
  [ "${NETSCAN_JAVA_RUNTIME:-}" = 1 ] && tool=java
  for cand in "${JAVA_HOME:-}" "$jvms"/temurin-25* "$jvms"/*25* "$jvms"/* \
              "$(dirname "$(dirname "$(readlink -f "$(command -v $tool 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$cand" ] && [ -d "$cand" ] || continue
    v=$(netscan_java_feature "$cand")
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then
      printf '%s' "$cand"
      return 0
    fi
  done
  return 1
}

if NETSCAN_JDK=$(netscan_find_jdk); then
  export JAVA_HOME=$NETSCAN_JDK
  export PATH="$JAVA_HOME/bin:$PATH"
elif [ "${NETSCAN_JAVA_RUNTIME:-}" = 1 ]; then
  NETSCAN_JDK=$(command -v java || true)
  [ -z "$NETSCAN_JDK" ] || NETSCAN_JDK="$NETSCAN_JDK, version $(netscan_java_feature "$(dirname "$(dirname "$(readlink -f "$NETSCAN_JDK")")")")"
  echo "netscan needs Java 25 or newer and found none (looked at \$JAVA_HOME, ${NETSCAN_JVM_DIR:-/usr/lib/jvm}/*, and java on PATH: ${NETSCAN_JDK:-none})." >&2
  echo "Install one, e.g. Temurin 25: 'apt-get install temurin-25-jre' from Adoptium's apt repository (https://adoptium.net/installation/linux/;" >&2
  echo "Debian 12 has no openjdk-25 package), or point JAVA_HOME at one (the service reads it from /etc/netscan/netscan.env)." >&2
  exit 78
else
  echo "netscan needs a JDK 25 or newer and found none (looked at \$JAVA_HOME, ${NETSCAN_JVM_DIR:-/usr/lib/jvm}/*, and javac on PATH)." >&2
  echo "Install one, e.g. Temurin 25: 'apt-get install temurin-25-jdk' (Adoptium's apt repository) or https://adoptium.net," >&2
  echo "then re-run, or point JAVA_HOME at it." >&2
  exit 1
fi
