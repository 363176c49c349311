#!/bin/sh
# Removes adaptive-io from a WildFly 39: the adaptive-io subsystem (all its workers) and extension and the transplant
# filter (custom-filter adaptive-io-transplant and every filter-ref to it) from the server configuration, then the
# dev.adaptiveio modules. WildFly refuses to remove a worker that something still runs on, so
# the script first lists Undertow listeners, the remoting subsystem and the io default-worker if they use our workers and stops there, unless
# --reset-listeners is given: then it points them back to WildFly's "default" worker.
#
#   bin/uninstall.sh [--config=standalone.xml] [--connect [--controller=host:port]] [--reset-listeners] JBOSS_HOME
#
#   --config=NAME.xml   server configuration to change offline (default standalone.xml); the server must be stopped
#   --connect           change the running server instead; reload it afterwards. The modules stay on disk while the
#                       running server may still use them: run again without --connect once it is stopped.
set -e
. "$(dirname "$0")/common.sh"

RESET=
usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}
for arg in "$@"; do
    case "$arg" in
        --config=*) CONFIG=${arg#--config=} ;;
        --connect) CONNECT=1 ;;
        --controller=*) CONTROLLER=${arg#--controller=} ;;
        --reset-listeners) RESET=1 ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option $arg" >&2; usage 1 ;;
        *) JBOSS_HOME=$arg ;;
    esac
done
check_jboss_home

# Prints "ADDRESS ATTRIBUTE WORKER" for every listener or subsystem attribute that names an adaptive-io worker.
users_of_our_workers() {
    run_cli <<'CLI' | awk '
        /^@@/ { section = $0; addr = ""; next }
        section == "@@workers" {
            line = $0
            while (match(line, /"[^"]*"/)) {
                v = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH)
                if (v != "outcome" && v != "success" && v != "result") ours[v] = 1
            }
            next
        }
        /^ *\("[^"]*" => "[^"]*"\),?$/ { e = $0; gsub(/[ ()",]/, "", e); sub(/=>/, "=", e); addr = addr "/" e; next }
        /"result" => "[^"]*"/ {
            v = $0; sub(/.*"result" => "/, "", v); sub(/".*/, "", v)
            if (section == "@@remoting") { addr = "/subsystem=remoting"; attr = "worker" }
            else if (section == "@@io") { addr = "/subsystem=io"; attr = "default-worker" }
            else attr = "worker"
            if (addr != "" && (v in ours)) print addr, attr, v
            addr = ""
        }'
echo @@workers
if (outcome == success) of /subsystem=adaptive-io:read-resource
    /subsystem=adaptive-io:read-children-names(child-type=worker)
end-if
echo @@listeners
if (outcome == success) of /subsystem=undertow:read-resource
    /subsystem=undertow/server=*/http-listener=*:read-attribute(name=worker)
    /subsystem=undertow/server=*/https-listener=*:read-attribute(name=worker)
    /subsystem=undertow/server=*/ajp-listener=*:read-attribute(name=worker)
end-if
echo @@remoting
if (outcome == success) of /subsystem=remoting:read-resource
    /subsystem=remoting:read-attribute(name=worker)
end-if
echo @@io
if (outcome == success) of /subsystem=io:read-resource
    /subsystem=io:read-attribute(name=default-worker)
end-if
CLI
}

users=$(users_of_our_workers) || die "could not read the server configuration"
if [ -n "$users" ]; then
    if [ -z "$RESET" ]; then
        echo "adaptive-io: these still use adaptive-io workers (address, attribute, worker):" >&2
        echo "$users" | sed 's/^/  /' >&2
        die "point them to another worker (e.g. ADDRESS:undefine-attribute(name=worker)) or rerun with --reset-listeners"
    fi
    echo "adaptive-io: pointing back to WildFly's default worker (address, attribute, worker):"
    echo "$users" | sed 's/^/  /'
    # One batch: all or nothing, and no half-moved state (listener and remoting on different workers).
    {
        echo "batch"
        echo "$users" | while read -r address attribute worker; do
            if [ "$attribute" = "default-worker" ]; then
                echo "$address:write-attribute(name=default-worker, value=default)"
            else
                echo "$address:undefine-attribute(name=$attribute)"
            fi
        done
        echo "run-batch"
    } | run_cli || die "could not reset the listeners"
fi

# Prints the address of every filter-ref to the transplant filter, e.g. /subsystem=undertow/server=default-server/host=default-host/filter-ref=adaptive-io-transplant
transplant_filter_refs() {
    run_cli <<'CLI' | awk '
        /^ *\("[^"]*" => "[^"]*"\),?$/ {
            e = $0; gsub(/[ ()",]/, "", e); sub(/=>/, "=", e); addr = addr "/" e
            if (e == "filter-ref=adaptive-io-transplant") { print addr; addr = "" }
            next
        }
        /"address" => \[/ { addr = "" }'
if (outcome == success) of /subsystem=undertow:read-resource
    /subsystem=undertow/server=*/host=*/filter-ref=adaptive-io-transplant:read-resource
end-if
CLI
}

refs=$(transplant_filter_refs) || die "could not read the server configuration"
if [ -n "$refs" ]; then
    echo "adaptive-io: removing the transplant filter from:"
    echo "$refs" | sed 's/^/  /'
    echo "$refs" | sed 's/$/:remove/' | run_cli || die "could not remove the transplant filter-refs"
fi

echo "adaptive-io: removing subsystem and extension"
run_cli < "$DIST_HOME/bin/uninstall.cli" || die "CLI failed; nothing removed from modules/"

if [ -n "$CONNECT" ]; then
    echo "adaptive-io: removed from the running server's configuration. Reload it; remove $JBOSS_HOME/modules/dev/adaptiveio once it is stopped (or rerun this script without --connect)."
else
    rm -rf "$JBOSS_HOME/modules/dev/adaptiveio/wildfly" "$JBOSS_HOME/modules/dev/adaptiveio/xnio" \
        "$JBOSS_HOME/modules/dev/adaptiveio/transplant"
    rmdir "$JBOSS_HOME/modules/dev/adaptiveio" "$JBOSS_HOME/modules/dev" 2>/dev/null || true
    echo "adaptive-io: uninstalled from $CONFIG and $JBOSS_HOME/modules"
fi
