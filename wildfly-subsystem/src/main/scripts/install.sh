#!/bin/sh
# Installs adaptive-io into an existing WildFly 39: copies the JBoss modules and adds the extension and the
# (empty) adaptive-io subsystem to the server configuration, plus the transplant request hook: the Undertow custom-filter
# "adaptive-io-transplant" on default-server's default-host (inert until a worker has transplant=true). Safe to run
# again (upgrades the modules).
#
#   bin/install.sh [--config=standalone.xml] [--connect [--controller=host:port]] [--no-transplant-filter] JBOSS_HOME
#
#   --config=NAME.xml       server configuration to change offline (default standalone.xml); the server must be stopped
#   --connect               change the running server instead, through its management interface (no restart needed)
#   --no-transplant-filter  leave Undertow's configuration alone (transplant=true then moves nothing until you add
#                           the filter-ref yourself, see docs/wildfly.md)
set -e
. "$(dirname "$0")/common.sh"

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

TRANSPLANT_FILTER=1
for arg in "$@"; do
    case "$arg" in
        --config=*) CONFIG=${arg#--config=} ;;
        --no-transplant-filter) TRANSPLANT_FILTER= ;;
        --connect) CONNECT=1 ;;
        --controller=*) CONTROLLER=${arg#--controller=} ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option $arg" >&2; usage 1 ;;
        *) JBOSS_HOME=$arg ;;
    esac
done
check_jboss_home

target="$JBOSS_HOME/modules/dev/adaptiveio"
echo "adaptive-io: installing modules dev.adaptiveio.wildfly, dev.adaptiveio.xnio and dev.adaptiveio.transplant into $target"
rm -rf "$target/wildfly" "$target/xnio" "$target/transplant"
mkdir -p "$target"
cp -R "$DIST_HOME/modules/dev/adaptiveio/wildfly" "$DIST_HOME/modules/dev/adaptiveio/xnio" \
    "$DIST_HOME/modules/dev/adaptiveio/transplant" "$target/"

if [ -n "$CONNECT" ]; then
    echo "adaptive-io: adding extension and subsystem on the running server"
else
    echo "adaptive-io: adding extension and subsystem to $CONFIG"
fi
run_cli < "$DIST_HOME/bin/install.cli" || die "CLI failed; the modules are in place, the configuration may be unchanged"
if [ -n "$TRANSPLANT_FILTER" ]; then
    echo "adaptive-io: adding the transplant filter (custom-filter adaptive-io-transplant) to default-server/default-host"
    run_cli < "$DIST_HOME/bin/install-transplant.cli" \
        || echo "adaptive-io: WARNING: could not add the transplant filter (no undertow subsystem or no default-server/default-host?); transplant=true needs it, see docs/wildfly.md" >&2
fi

cat <<MSG
adaptive-io: installed. Next, for example:
  /subsystem=adaptive-io/worker=native:add(engine=epoll)
  /subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native)
  reload
  /subsystem=adaptive-io/worker=native:read-attribute(name=running-engine)
MSG
