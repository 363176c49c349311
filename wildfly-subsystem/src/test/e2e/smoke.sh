#!/bin/bash
# End-to-end smoke test, as a new user would do it, on a fresh WildFly 39.0.1.Final:
# install script -> subsystem XML -> listener on our worker -> curl -> metrics -> reload -> uninstall -> clean boot.
#
#   wildfly-subsystem/src/test/e2e/smoke.sh [WORKDIR] [ENGINE]
#
# Needs the distribution zip (mvn -pl wildfly-subsystem package) and Maven to fetch org.wildfly:wildfly-dist.
# The server binds 127.0.0.1 only, with a port offset (PORT_OFFSET, default 317: http 8397, management 10307).
set -euo pipefail

MODULE_DIR=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${1:-/tmp/adaptive-io-wildfly-e2e}
ENGINE=${2:-epoll}
OFFSET=${PORT_OFFSET:-317}
HTTP_PORT=$((8080 + OFFSET))
MGMT_PORT=$((9990 + OFFSET))
ZIP=$(ls "$MODULE_DIR"/target/adaptive-io-wildfly-*.zip 2>/dev/null | head -1)
[ -n "$ZIP" ] || { echo "no target/adaptive-io-wildfly-*.zip: run mvn -pl wildfly-subsystem package first" >&2; exit 1; }

step() { echo; echo "=== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK"
step "unpack org.wildfly:wildfly-dist:39.0.1.Final into $WORK"
# Run outside any Maven project so the plugin neither walks a reactor nor reuses stale unpack markers.
(cd "$WORK" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
    -Dartifact=org.wildfly:wildfly-dist:39.0.1.Final:zip -DoutputDirectory="$WORK" -DmarkersDirectory="$WORK/.markers")
JBOSS_HOME="$WORK/wildfly-39.0.1.Final"
(cd "$WORK" && unzip -q "$ZIP")
DIST="$WORK/$(basename "$ZIP" .zip)"
CLI="$JBOSS_HOME/bin/jboss-cli.sh -c --controller=127.0.0.1:$MGMT_PORT"
SERVER_PID=

start_server() {
    : > "$WORK/server.out"
    # With a pid file and LAUNCH_JBOSS_IN_BACKGROUND, standalone.sh forwards signals and we can always stop the JVM.
    LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_PIDFILE="$WORK/server.pid" "$JBOSS_HOME/bin/standalone.sh" -b 127.0.0.1 -bmanagement 127.0.0.1 \
        -Djboss.socket.binding.port-offset=$OFFSET > "$WORK/server.out" 2>&1 &
    SERVER_PID=$!
    wait_running || fail "server did not start; see $JBOSS_HOME/standalone/log/server.log"
}
wait_running() {
    for _ in $(seq 1 120); do
        if $CLI --command=':read-attribute(name=server-state)' 2>/dev/null | grep -q '"result" => "running"'; then return 0; fi
        sleep 1
    done
    return 1
}
# The ":reload" operation returns at once (the "reload" command waits for a reconnect and times out on a busy machine).
reload_server() {
    $CLI --command=':reload' > /dev/null
    sleep 3
    wait_running || fail "server did not come back from reload"
}
stop_server() {
    $CLI --command=':shutdown' > /dev/null 2>&1 || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
kill_server() {
    if [ -n "$SERVER_PID" ]; then
        [ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")" 2>/dev/null || true
        kill "$SERVER_PID" 2>/dev/null || true
    fi
}
trap kill_server EXIT
if (exec 3<>"/dev/tcp/127.0.0.1/$MGMT_PORT") 2>/dev/null; then fail "port $MGMT_PORT is taken: another server is running"; fi
metric() { $CLI --command="/subsystem=adaptive-io/worker=native:read-attribute(name=$1)" | sed -n 's/.*"result" => "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p'; }

step "install: $DIST/bin/install.sh $JBOSS_HOME"
"$DIST/bin/install.sh" "$JBOSS_HOME"

step "subsystem XML (docs/wildfly.md): a worker named 'native' on engine $ENGINE"
sed -i "s#<subsystem xmlns=\"urn:wildfly:adaptive-io:1.0\"/>#<subsystem xmlns=\"urn:wildfly:adaptive-io:1.0\">\n            <worker name=\"native\" engine=\"$ENGINE\" io-threads=\"1\" task-max-threads=\"16\"/>\n        </subsystem>#" \
    "$JBOSS_HOME/standalone/configuration/standalone.xml"
grep -A2 'urn:wildfly:adaptive-io:1.0' "$JBOSS_HOME/standalone/configuration/standalone.xml"

step "start the server (127.0.0.1 only) and point the default http-listener at worker 'native'"
start_server
# Remoting's HTTP upgrade runs on the listener's connections: keep its worker the same (else WFLYUT0097).
$CLI --commands="/subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native),/subsystem=remoting:write-attribute(name=worker, value=native)"
reload_server

step "curl the welcome page"
curl -fsS -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' "http://127.0.0.1:$HTTP_PORT/" || fail "welcome page not served"

step "metrics"
$CLI --command="/subsystem=adaptive-io/worker=native:read-resource(include-runtime=true)"
[ "$(metric running-engine)" = "$ENGINE" ] || fail "running-engine is '$(metric running-engine)', expected $ENGINE"
# Hold one keep-alive connection open: the listener's connection count must show it on our worker.
exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
sleep 1
CONNECTIONS=$(metric connection-count)
PER_LISTENER=$($CLI --command="/subsystem=adaptive-io/worker=native:read-attribute(name=listener-connections)")
exec 3>&-
echo "$PER_LISTENER"
echo "$PER_LISTENER" | grep -q "\"127.0.0.1:$HTTP_PORT\" => 1L" || fail "listener-connections does not show 127.0.0.1:$HTTP_PORT => 1"
echo "connection-count with one open connection: $CONNECTIONS"
[ "$CONNECTIONS" = "1" ] || fail "expected the open connection on worker 'native'"

if [ "$ENGINE" = adaptive ]; then
    step "adaptive: metrics from the provider's MXBeans, and the runtime operations"
    $CLI --command="/subsystem=adaptive-io/worker=native:read-attribute(name=listener-engines)"
    ACTIVE=$(metric active-engine)
    echo "active-engine: $ACTIVE, io-uring-tier: $(metric io-uring-tier)"
    case "$ACTIVE" in epoll|io_uring) ;; *) fail "active-engine is '$ACTIVE'";; esac
    OTHER=$([ "$ACTIVE" = epoll ] && echo io_uring || echo epoll)
    $CLI --command="/subsystem=adaptive-io/worker=native:force-switch(to=$OTHER)" | tee "$WORK/force-switch.out"
    grep -q "127.0.0.1:$HTTP_PORT" "$WORK/force-switch.out" || fail "force-switch did not reach the listener"
    [ "$(metric active-engine)" = "$OTHER" ] || fail "active-engine after force-switch is '$(metric active-engine)', expected $OTHER"
    curl -fsS -o /dev/null -w "HTTP %{http_code} after force-switch to $OTHER\n" "http://127.0.0.1:$HTTP_PORT/" || fail "not served after force-switch"
    $CLI --command="/subsystem=adaptive-io/worker=native:freeze" > /dev/null
    [ "$(metric frozen)" = "true" ] || fail "frozen is not true after freeze"
    $CLI --command="/subsystem=adaptive-io/worker=native:unfreeze" > /dev/null
    [ "$(metric frozen)" = "false" ] || fail "frozen is not false after unfreeze"
    $CLI --command="/subsystem=adaptive-io/worker=native:read-resource(include-runtime=true)" | grep -E 'engine|connections|accepts|switches|frozen|tier'
else
    step "adaptive-only operations are refused on engine $ENGINE"
    if $CLI --command="/subsystem=adaptive-io/worker=native:freeze" | tee "$WORK/freeze.out" | grep -q '"outcome" => "success"'; then fail "freeze accepted on $ENGINE"; fi
    grep -o 'ADIOWF0012[^"]*' "$WORK/freeze.out"
fi

step "reload keeps it"
reload_server
[ "$(metric running-engine)" = "$ENGINE" ] || fail "after reload running-engine is '$(metric running-engine)'"
curl -fsS -o /dev/null -w 'HTTP %{http_code} after reload\n' "http://127.0.0.1:$HTTP_PORT/" || fail "not served after reload"
$CLI --command="/subsystem=undertow/server=default-server/http-listener=default:read-attribute(name=worker)"

step "server.log: nothing at ERROR"
if grep -E ' ERROR ' "$JBOSS_HOME/standalone/log/server.log"; then fail "ERROR in server.log"; fi
grep -E 'ADIOWF' "$JBOSS_HOME/standalone/log/server.log" || true
stop_server

step "uninstall without --reset-listeners refuses (the listener still uses 'native')"
if "$DIST/bin/uninstall.sh" "$JBOSS_HOME"; then fail "uninstall should have refused"; fi
step "uninstall --reset-listeners"
"$DIST/bin/uninstall.sh" --reset-listeners "$JBOSS_HOME"
grep -q 'adaptive' "$JBOSS_HOME/standalone/configuration/standalone.xml" && fail "standalone.xml still mentions adaptive-io"
[ -e "$JBOSS_HOME/modules/dev/adaptiveio" ] && fail "modules/dev/adaptiveio still there"

step "the server boots clean without adaptive-io"
mv "$JBOSS_HOME/standalone/log/server.log" "$WORK/server-with-adaptive-io.log"
start_server
curl -fsS -o /dev/null -w 'HTTP %{http_code} on the stock worker\n' "http://127.0.0.1:$HTTP_PORT/" || fail "welcome page not served after uninstall"
# A stock server logs a few WARNs of its own (transactions node-identifier, keystore); none may be about us.
# (Lines that only name the work directory do not count: it may itself contain "adaptive".)
if grep -vF "$WORK" "$JBOSS_HOME/standalone/log/server.log" | grep -E ' ERROR |adaptive|ADIOWF'; then fail "server.log after uninstall mentions errors or adaptive-io"; fi
grep -q 'WFLYSRV0025' "$JBOSS_HOME/standalone/log/server.log" || fail "no clean start (WFLYSRV0025) after uninstall"
stop_server
echo; echo "PASS: WildFly e2e smoke on engine $ENGINE"
