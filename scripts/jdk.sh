# Sourced by the project's scripts: finds a JDK 25 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/* (Temurin first), then `java` on PATH.
# Stops with a message naming what to install when none is found.

netscan_java_feature() { # prints the feature release (e.g. 25) of the JDK at $1, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  printf '%s' "$v"
}

netscan_find_jdk() {
  local cand v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* \
              "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
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
else
  echo "netscan needs a JDK 25 or newer and found none (looked at \$JAVA_HOME, /usr/lib/jvm/*, and javac on PATH)." >&2
  echo "Install one, e.g. Temurin 25: 'apt-get install temurin-25-jdk' (Adoptium's apt repository) or https://adoptium.net," >&2
  echo "then re-run, or point JAVA_HOME at it." >&2
  exit 1
fi
