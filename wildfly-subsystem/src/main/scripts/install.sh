#!/bin/sh
# Installs adaptive-io into an existing WildFly 39: copies the JBoss modules and adds the extension and the
# (empty) adaptive-io subsystem to the server configuration. Safe to run again (upgrades the modules).
#
#   bin/install.sh [--config=standalone.xml] [--connect [--controller=host:port]] JBOSS_HOME
#
#   --config=NAME.xml   server configuration to change offline (default standalone.xml); the server must be stopped
#   --connect           change the running server instead, through its management interface (no restart needed)
set -e
. "$(dirname "$0")/common.sh"

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

for arg in "$@"; do
    case "$arg" in
        --config=*) CONFIG=${arg#--config=} ;;
        --connect) CONNECT=1 ;;
        --controller=*) CONTROLLER=${arg#--controller=} ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option $arg" >&2; usage 1 ;;
        *) JBOSS_HOME=$arg ;;
    esac
done
check_jboss_home

target="$JBOSS_HOME/modules/dev/adaptiveio"
echo "adaptive-io: installing modules dev.adaptiveio.wildfly and dev.adaptiveio.xnio into $target"
rm -rf "$target/wildfly" "$target/xnio"
mkdir -p "$target"
cp -R "$DIST_HOME/modules/dev/adaptiveio/wildfly" "$DIST_HOME/modules/dev/adaptiveio/xnio" "$target/"

if [ -n "$CONNECT" ]; then
    echo "adaptive-io: adding extension and subsystem on the running server"
else
    echo "adaptive-io: adding extension and subsystem to $CONFIG"
fi
run_cli < "$DIST_HOME/bin/install.cli" || die "CLI failed; the modules are in place, the configuration may be unchanged"

cat <<MSG
adaptive-io: installed. Next, for example:
  /subsystem=adaptive-io/worker=native:add(engine=epoll)
  /subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native)
  reload
  /subsystem=adaptive-io/worker=native:read-attribute(name=running-engine)
MSG
