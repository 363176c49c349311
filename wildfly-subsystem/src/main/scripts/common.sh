# Shared by install.sh and uninstall.sh. Not meant to be run on its own.

DIST_HOME=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=
CONNECT=
CONTROLLER=
# Managed domain: DOMAIN=1 and the profiles to change (PROFILES, space-separated), set by --domain/--profile or found
# by detect_domain.
DOMAIN=
PROFILES=
HOST_CONFIG=host.xml

die() {
    echo "adaptive-io: $*" >&2
    exit 1
}

# Options both scripts take; returns 1 for an option it does not know.
common_option() {
    case "$1" in
        --config=*) CONFIG=${1#--config=} ;;
        --host-config=*) HOST_CONFIG=${1#--host-config=} ;;
        --connect) CONNECT=1 ;;
        --controller=*) CONTROLLER=${1#--controller=} ;;
        --domain) DOMAIN=1 ;;
        --profile=*) DOMAIN=1; PROFILES="$PROFILES ${1#--profile=}" ;;
        *) return 1 ;;
    esac
}

check_jboss_home() {
    [ -n "$JBOSS_HOME" ] || die "missing JBOSS_HOME argument (the WildFly 39 directory)"
    [ -x "$JBOSS_HOME/bin/jboss-cli.sh" ] || die "$JBOSS_HOME is not a WildFly installation (no bin/jboss-cli.sh)"
    [ -d "$JBOSS_HOME/modules" ] || die "$JBOSS_HOME has no modules/ directory"
    JBOSS_HOME=$(cd "$JBOSS_HOME" && pwd)
    if [ -z "$CONNECT" ]; then
        # Offline: domain.xml (or --domain) means a managed domain's configuration.
        if [ -z "$DOMAIN" ] && [ -n "$CONFIG" ] && [ ! -f "$JBOSS_HOME/standalone/configuration/$CONFIG" ] \
                && [ -f "$JBOSS_HOME/domain/configuration/$CONFIG" ]; then
            DOMAIN=1
        fi
        if [ -n "$DOMAIN" ]; then
            CONFIG=${CONFIG:-domain.xml}
            [ -f "$JBOSS_HOME/domain/configuration/$CONFIG" ] || die "no $JBOSS_HOME/domain/configuration/$CONFIG (use --config=NAME.xml)"
            [ -f "$JBOSS_HOME/domain/configuration/$HOST_CONFIG" ] || die "no $JBOSS_HOME/domain/configuration/$HOST_CONFIG (use --host-config=NAME.xml)"
        else
            CONFIG=${CONFIG:-standalone.xml}
            [ -f "$JBOSS_HOME/standalone/configuration/$CONFIG" ] || die "no $JBOSS_HOME/standalone/configuration/$CONFIG (use --config=NAME.xml)"
        fi
    fi
}

# Runs CLI commands (stdin) offline on $CONFIG with an embedded server or host controller, or on the running server
# or domain controller with --connect.
run_cli() {
    script=$(mktemp "${TMPDIR:-/tmp}/adaptive-io-cli.XXXXXX")
    if [ -n "$CONNECT" ]; then
        cat > "$script"
        set -- --connect
        [ -n "$CONTROLLER" ] && set -- "$@" "--controller=$CONTROLLER"
    elif [ -n "$DOMAIN" ]; then
        { echo "embed-host-controller --domain-config=$CONFIG --host-config=$HOST_CONFIG --std-out=discard"; cat; echo "stop-embedded-host-controller"; } > "$script"
        set --
    else
        { echo "embed-server --server-config=$CONFIG --std-out=discard"; cat; echo "stop-embedded-server"; } > "$script"
        set --
    fi
    JBOSS_HOME="$JBOSS_HOME" "$JBOSS_HOME/bin/jboss-cli.sh" "$@" --file="$script"
    status=$?
    rm -f "$script"
    return $status
}

# With --connect: a domain controller answers launch-type DOMAIN. Then the profiles must be named; list them.
detect_domain() {
    if [ -n "$CONNECT" ] && [ -z "$DOMAIN" ]; then
        launch=$(echo ":read-attribute(name=launch-type)" | run_cli) || die "could not reach the server's management interface"
        case "$launch" in
            *'"DOMAIN"'*) DOMAIN=1 ;;
        esac
    fi
    if [ -n "$DOMAIN" ] && [ -z "$PROFILES" ]; then
        groups=$(server_groups_and_profiles)
        die "this is a managed domain: name the profile(s) to change with --profile=NAME (repeatable). Server groups and their profiles:
$(echo "$groups" | sed 's/^/  /')"
    fi
}

# Prints "SERVER-GROUP PROFILE" for every server group of the domain.
server_groups_and_profiles() {
    echo "/server-group=*:read-attribute(name=profile)" | run_cli | awk '
        /"server-group" => "/ { g = $0; sub(/.*"server-group" => "/, "", g); sub(/".*/, "", g) }
        /"result" => "/ { p = $0; sub(/.*"result" => "/, "", p); sub(/".*/, "", p); if (g != "") print g, p; g = "" }'
}

# A CLI file as is (standalone), or once per chosen profile with every /subsystem= address under /profile=NAME (the
# extension stays at the root of the domain).
for_each_profile() {
    if [ -z "$DOMAIN" ]; then
        sed 's#@PREFIX@##g' "$1"
        return
    fi
    for p in $PROFILES; do
        sed "s#\([ (]\)/subsystem=#\1/profile=$p/subsystem=#g; s#^/subsystem=#/profile=$p/subsystem=#; s#@PREFIX@#/profile=$p#g" "$1"
    done
}
