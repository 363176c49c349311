#!/bin/sh
# Removes adaptive-io from a WildFly 39: the adaptive-io subsystem (all its workers) and extension and the transplant
# filter (custom-filter adaptive-io-transplant and every filter-ref to it) from the server configuration, then the
# dev.adaptiveio modules. WildFly refuses to remove a worker that something still runs on, so
# the script first lists Undertow listeners, the remoting subsystem and the io default-worker if they use our workers and stops there, unless
# --reset-listeners is given: then it points them back to WildFly's "default" worker.
#
#   bin/uninstall.sh [--config=NAME.xml] [--connect [--controller=host:port]] [--domain] [--profile=NAME]...
#                    [--reset-listeners] JBOSS_HOME
#
#   --config=NAME.xml   configuration to change offline (default standalone.xml; domain.xml or --domain: a managed
#                       domain, with --host-config=host.xml); the server or domain must be stopped
#   --connect           change the running server or domain controller instead; reload the server(s) afterwards. The
#                       modules stay on disk while a running server may still use them: run again without --connect
#                       once it is stopped.
#   --profile=NAME      managed domain: the profile to remove the subsystem from (repeatable; required in a domain).
#                       The extension goes once no profile has the subsystem; the modules only then.
set -e
. "$(dirname "$0")/common.sh"

RESET=
usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}
for arg in "$@"; do
    common_option "$arg" && continue
    case "$arg" in
        --reset-listeners) RESET=1 ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option $arg" >&2; usage 1 ;;
        *) JBOSS_HOME=$arg ;;
    esac
done
check_jboss_home
detect_domain

# CLI from stdin, as is (standalone) or once per chosen profile under /profile=NAME.
scoped() {
    cli=$(mktemp "${TMPDIR:-/tmp}/adaptive-io-scoped.XXXXXX")
    cat > "$cli"
    for_each_profile "$cli"
    rm -f "$cli"
}

# Prints "ADDRESS ATTRIBUTE WORKER" for every listener or subsystem attribute that names an adaptive-io worker.
users_of_our_workers() {
    scoped <<'CLI' | run_cli | awk '
        /^@@/ { section = $1; prefix = $2; addr = ""; next }
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
            if (section == "@@remoting") { addr = prefix "/subsystem=remoting"; attr = "worker" }
            else if (section == "@@io") { addr = prefix "/subsystem=io"; attr = "default-worker" }
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
echo @@remoting @PREFIX@
if (outcome == success) of /subsystem=remoting:read-resource
    /subsystem=remoting:read-attribute(name=worker)
end-if
echo @@io @PREFIX@
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
        if [ -n "$DOMAIN" ]; then
            echo "adaptive-io: server groups running these profiles (server group, profile):" >&2
            server_groups_and_profiles | while read -r group profile; do
                case " $PROFILES " in *" $profile "*) echo "  $group $profile" >&2 ;; esac
            done
        fi
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
    scoped <<'CLI' | run_cli | awk '
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

echo "adaptive-io: removing the subsystem"
for_each_profile "$DIST_HOME/bin/uninstall.cli" | run_cli \
    || die "CLI failed (see above); steps before the failing one are kept, nothing removed from modules/: fix the cause and run this script again"

if [ -n "$DOMAIN" ]; then
    # Other profiles may still have the subsystem: then the extension (and the modules) must stay.
    remaining=$(echo "/profile=*:read-children-names(child-type=subsystem)" | run_cli | awk '
        /"profile" => "/ { p = $0; sub(/.*"profile" => "/, "", p); sub(/".*/, "", p) }
        /"adaptive-io"/ { print p }' | sort -u | tr '\n' ' ')
    if [ -n "$remaining" ]; then
        echo "adaptive-io: removed from profile(s)$PROFILES; profile(s) $remaining still have the subsystem, so the extension and the modules stay."
        exit 0
    fi
fi
echo "adaptive-io: removing the extension"
run_cli < "$DIST_HOME/bin/uninstall-extension.cli" || die "CLI failed; the subsystem is removed, the extension and modules/ are not"

if [ -n "$CONNECT" ]; then
    if [ -n "$DOMAIN" ]; then
        echo "adaptive-io: removed from the domain configuration. Reload the servers (/server-group=GROUP:reload-servers); remove $JBOSS_HOME/modules/dev/adaptiveio on each host once its servers are stopped."
    else
        echo "adaptive-io: removed from the running server's configuration. Reload it; remove $JBOSS_HOME/modules/dev/adaptiveio once it is stopped (or rerun this script without --connect)."
    fi
else
    rm -rf "$JBOSS_HOME/modules/dev/adaptiveio/wildfly" "$JBOSS_HOME/modules/dev/adaptiveio/xnio" \
        "$JBOSS_HOME/modules/dev/adaptiveio/transplant"
    rmdir "$JBOSS_HOME/modules/dev/adaptiveio" "$JBOSS_HOME/modules/dev" 2>/dev/null || true
    echo "adaptive-io: uninstalled from $CONFIG and $JBOSS_HOME/modules"
fi
