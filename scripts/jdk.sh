# Sourced by the project's scripts and by the installed launcher (/usr/lib/netscan/netscan, from
# scripts/run-jar): finds a Java 25 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 25+, then $NETSCAN_JVM_DIR/* (default /usr/lib/jvm; Temurin first), then the
# JDK of `javac` on PATH. The build needs a JDK (javac); with NETSCAN_JAVA_RUNTIME=1 (the launcher) a
# runtime is enough and `java` on PATH counts instead.
# When none is found it says what to install and exits: 1, or 78 (EX_CONFIG) with NETSCAN_JAVA_RUNTIME=1,
# a status the systemd unit does not restart on.

# No subshells on the way to a JDK: the launcher sources this at every start, and each $(...) is a
# process (tens of milliseconds of a one-shot scan on a loaded machine).
netscan_feature_of() { # sets netscan_feature to the feature release (e.g. 25) of the Java at $1, or empty
  local home=$1 line
  netscan_feature=
  [ -x "$home/bin/java" ] || return 0
  [ "${NETSCAN_JAVA_RUNTIME:-}" = 1 ] || [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=\"[0-9]*) netscan_feature=${line#JAVA_VERSION=\"}; netscan_feature=${netscan_feature%%[!0-9]*}; break ;;
      esac
    done <"$home/release"
  fi
  if [ -z "$netscan_feature" ]; then
    netscan_feature=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
}

netscan_java_feature() { # prints the feature release (e.g. 25) of the Java at $1, or nothing
  netscan_feature_of "$1"
  printf '%s' "$netscan_feature"
}

netscan_find_jdk() { # sets NETSCAN_JDK to a Java 25+ home; returns 1 when there is none
  local cand jvms=${NETSCAN_JVM_DIR:-/usr/lib/jvm} tool=javac
  [ "${NETSCAN_JAVA_RUNTIME:-}" = 1 ] && tool=java
  NETSCAN_JDK=
  for cand in "${JAVA_HOME:-}" "$jvms"/temurin-25* "$jvms"/*25* "$jvms"/* "<on PATH>"; do
    if [ "$cand" = "<on PATH>" ]; then # last, and only then worth the programs it takes
      cand=$(dirname "$(dirname "$(readlink -f "$(command -v $tool 2>/dev/null || echo /nonexistent)")")")
    fi
    [ -n "$cand" ] && [ -d "$cand" ] || continue
    netscan_feature_of "$cand"
    if [ -n "$netscan_feature" ] && [ "$netscan_feature" -ge 25 ] 2>/dev/null; then
      NETSCAN_JDK=$cand
      return 0
    fi
  done
  return 1
}

if netscan_find_jdk; then
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
