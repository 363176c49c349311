#!/bin/sh
# Installs adaptive-io into an existing WildFly 39: copies the JBoss modules and adds the extension and the
# (empty) adaptive-io subsystem to the server configuration, plus the transplant request hook: the Undertow custom-filter
# "adaptive-io-transplant" on default-server's default-host (inert until a worker has transplant=true). Safe to run
# again (upgrades the modules).
#
#   bin/install.sh [--config=NAME.xml] [--connect [--controller=host:port]] [--domain] [--profile=NAME]...
#                  [--no-transplant-filter] JBOSS_HOME
#
#   --config=NAME.xml       configuration to change offline (default standalone.xml; domain.xml or --domain: a managed
#                           domain, with --host-config=host.xml); the server or domain must be stopped
#   --connect               change the running server or domain controller instead (no restart of a standalone server)
#   --profile=NAME          managed domain: the profile to add the subsystem to (repeatable; required in a domain)
#   --no-transplant-filter  leave Undertow's configuration alone (transplant=true then moves nothing until you add
#                           the filter-ref yourself, see docs/wildfly.md)
set -e
. "$(dirname "$0")/common.sh"

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

TRANSPLANT_FILTER=1
for arg in "$@"; do
    common_option "$arg" && continue
    case "$arg" in
        --no-transplant-filter) TRANSPLANT_FILTER= ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option $arg" >&2; usage 1 ;;
        *) JBOSS_HOME=$arg ;;
    esac
done
check_jboss_home
detect_domain

target="$JBOSS_HOME/modules/dev/adaptiveio"
echo "adaptive-io: installing modules dev.adaptiveio.wildfly, dev.adaptiveio.xnio and dev.adaptiveio.transplant into $target"
rm -rf "$target/wildfly" "$target/xnio" "$target/transplant"
mkdir -p "$target"
cp -R "$DIST_HOME/modules/dev/adaptiveio/wildfly" "$DIST_HOME/modules/dev/adaptiveio/xnio" \
    "$DIST_HOME/modules/dev/adaptiveio/transplant" "$target/"

where=${CONNECT:+the running server}
where=${where:-$CONFIG}
[ -n "$DOMAIN" ] && where="$where, profile(s)$PROFILES"
echo "adaptive-io: adding extension and subsystem ($where)"
# One CLI run; each step is idempotent, so a rerun after a failure finishes the job.
for_each_profile "$DIST_HOME/bin/install.cli" | run_cli \
    || die "CLI failed (see above). Steps before the failing one are kept (the extension may already be added): fix the cause and run this script again."
if [ -n "$TRANSPLANT_FILTER" ]; then
    echo "adaptive-io: adding the transplant filter (custom-filter adaptive-io-transplant) to default-server/default-host"
    for_each_profile "$DIST_HOME/bin/install-transplant.cli" | run_cli \
        || echo "adaptive-io: WARNING: could not add the transplant filter (no undertow subsystem or no default-server/default-host?); transplant=true needs it, see docs/wildfly.md" >&2
fi

if [ -n "$DOMAIN" ]; then
    p=$(echo $PROFILES | cut -d' ' -f1)
    cat <<MSG
adaptive-io: installed into profile(s)$PROFILES. Every host that runs servers of these profiles needs the modules too:
run this script (offline, or with --connect to the domain controller) on each host's installation. Next, for example:
  /profile=$p/subsystem=adaptive-io/worker=native:add(engine=epoll)
  /profile=$p/subsystem=remoting:write-attribute(name=worker, value=native)
  /profile=$p/subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native)
  /server-group=GROUP:reload-servers(blocking=true)
  /host=HOST/server=SERVER/subsystem=adaptive-io/worker=native:read-attribute(name=running-engine)
MSG
else
    cat <<MSG
adaptive-io: installed. Next, for example:
  /subsystem=adaptive-io/worker=native:add(engine=epoll)
  /subsystem=remoting:write-attribute(name=worker, value=native)
  /subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native)
  reload
  /subsystem=adaptive-io/worker=native:read-attribute(name=running-engine)
MSG
fi
