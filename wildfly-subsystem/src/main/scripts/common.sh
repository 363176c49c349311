# Shared by install.sh and uninstall.sh. Not meant to be run on its own.

DIST_HOME=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=standalone.xml
CONNECT=
CONTROLLER=

die() {
    echo "adaptive-io: $*" >&2
    exit 1
}

check_jboss_home() {
    [ -n "$JBOSS_HOME" ] || die "missing JBOSS_HOME argument (the WildFly 39 directory)"
    [ -x "$JBOSS_HOME/bin/jboss-cli.sh" ] || die "$JBOSS_HOME is not a WildFly installation (no bin/jboss-cli.sh)"
    [ -d "$JBOSS_HOME/modules" ] || die "$JBOSS_HOME has no modules/ directory"
    JBOSS_HOME=$(cd "$JBOSS_HOME" && pwd)
    if [ -z "$CONNECT" ] && [ ! -f "$JBOSS_HOME/standalone/configuration/$CONFIG" ]; then
        die "no $JBOSS_HOME/standalone/configuration/$CONFIG (use --config=NAME.xml)"
    fi
}

# Runs CLI commands (stdin) offline on $CONFIG with an embedded server, or on the running server with --connect.
run_cli() {
    script=$(mktemp "${TMPDIR:-/tmp}/adaptive-io-cli.XXXXXX")
    if [ -n "$CONNECT" ]; then
        cat > "$script"
        set -- --connect
        [ -n "$CONTROLLER" ] && set -- "$@" "--controller=$CONTROLLER"
    else
        { echo "embed-server --server-config=$CONFIG --std-out=discard"; cat; echo "stop-embedded-server"; } > "$script"
        set --
    fi
    JBOSS_HOME="$JBOSS_HOME" "$JBOSS_HOME/bin/jboss-cli.sh" "$@" --file="$script"
    status=$?
    rm -f "$script"
    return $status
}
