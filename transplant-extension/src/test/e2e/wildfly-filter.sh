#!/bin/bash
# End-to-end check of the transplant extension inside WildFly 39.0.1.Final: the adaptive-io
# distribution installed with its own script, a worker 'native' (engine epoll, 2 I/O threads)
# under the default http-listener, and dev.adaptiveio.transplant.TransplantHandler installed as a
# custom-filter from a module of its own (parameters={enabled=true}). TransplantE2E.java then keeps
# 6 keep-alive connections to the welcome page and, through the transplant MXBean, moves them
# between the worker's two I/O threads three times: every request answered, every move counted,
# none lost, nothing at ERROR in server.log.
#
#   transplant-extension/src/test/e2e/wildfly-filter.sh [WORKDIR]
#
# Needs: mvn -pl transplant-extension package, mvn -pl wildfly-subsystem package (the distribution
# zip), org.wildfly:wildfly-dist:39.0.1.Final:zip in the local Maven repository.
# The server binds 127.0.0.1 only, port offset PORT_OFFSET (default 417: http 8497, management 10407).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODULE_DIR=$(cd "$HERE/../../.." && pwd)
REPO_ROOT=$(cd "$MODULE_DIR/.." && pwd)
WORK=${1:-/tmp/adaptive-io-transplant-e2e}
OFFSET=${PORT_OFFSET:-417}
HTTP_PORT=$((8080 + OFFSET))
MGMT_PORT=$((9990 + OFFSET))
JAR=$(ls "$MODULE_DIR"/target/transplant-extension-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1)
ZIP=$(ls "$REPO_ROOT"/wildfly-subsystem/target/adaptive-io-wildfly-*.zip 2>/dev/null | head -1)
DIST_ZIP=${WILDFLY_ZIP:-$HOME/.m2/repository/org/wildfly/wildfly-dist/39.0.1.Final/wildfly-dist-39.0.1.Final.zip}
[ -n "$JAR" ] || { echo "no transplant-extension jar: mvn -pl transplant-extension package" >&2; exit 1; }
[ -n "$ZIP" ] || { echo "no adaptive-io-wildfly zip: mvn -pl wildfly-subsystem package" >&2; exit 1; }
[ -f "$DIST_ZIP" ] || { echo "no $DIST_ZIP: mvn dependency:get -Dartifact=org.wildfly:wildfly-dist:39.0.1.Final:zip" >&2; exit 1; }

step() { echo; echo "=== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK"
step "unpack WildFly 39.0.1.Final and the adaptive-io distribution into $WORK"
unzip -q "$DIST_ZIP" -d "$WORK"
JBOSS_HOME="$WORK/wildfly-39.0.1.Final"
unzip -q "$ZIP" -d "$WORK"
DIST="$WORK/$(basename "$ZIP" .zip)"
CLI="$JBOSS_HOME/bin/jboss-cli.sh"
SERVER_PID=

step "install adaptive-io"
"$DIST/bin/install.sh" "$JBOSS_HOME"

step "module dev.adaptiveio.transplant ($(basename "$JAR"))"
MOD="$JBOSS_HOME/modules/dev/adaptiveio/transplant/main"
mkdir -p "$MOD"
cp "$JAR" "$MOD/"
cat > "$MOD/module.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<module name="dev.adaptiveio.transplant" xmlns="urn:jboss:module:1.9">
    <resources>
        <resource-root path="$(basename "$JAR")"/>
    </resources>
    <dependencies>
        <module name="dev.adaptiveio.xnio"/>
        <module name="io.undertow.core"/>
        <module name="org.jboss.xnio"/>
        <module name="org.jboss.logging"/>
        <module name="java.management"/>
    </dependencies>
</module>
XML

step "a servlet that reports its connection's I/O thread (exchanges complete on worker threads there)"
mkdir -p "$WORK/app/classes/META-INF"
LAYERS="$JBOSS_HOME/modules/system/layers/base"
javac -d "$WORK/app/classes" -cp "$(ls "$LAYERS"/jakarta/servlet/api/main/*.jar "$LAYERS"/io/undertow/servlet/main/*.jar "$LAYERS"/io/undertow/core/main/*.jar "$LAYERS"/org/jboss/xnio/main/xnio-api-*.jar | tr '\n' ':')" "$HERE/app/IoServlet.java"
printf 'Manifest-Version: 1.0\nDependencies: io.undertow.servlet, io.undertow.core, org.jboss.xnio\n' > "$WORK/app/MANIFEST.MF"
mkdir -p "$WORK/app/war/WEB-INF" && mv "$WORK/app/classes/e2e" "$WORK/app/war/WEB-INF/classes-e2e"
mkdir -p "$WORK/app/war/WEB-INF/classes" && mv "$WORK/app/war/WEB-INF/classes-e2e" "$WORK/app/war/WEB-INF/classes/e2e"
(cd "$WORK/app/war" && jar cfm "$JBOSS_HOME/standalone/deployments/io.war" "$WORK/app/MANIFEST.MF" .)

step "configure offline: worker 'native' (epoll, 2 I/O threads) under the http-listener, the transplant custom-filter on the host"
cat > "$WORK/configure.cli" <<CLI
embed-server --server-config=standalone.xml --std-out=discard
/subsystem=adaptive-io/worker=native:add(engine=epoll, io-threads=2)
/subsystem=undertow/server=default-server/http-listener=default:write-attribute(name=worker, value=native)
/subsystem=remoting:write-attribute(name=worker, value=native)
/subsystem=undertow/configuration=filter/custom-filter=transplant:add(class-name=dev.adaptiveio.transplant.TransplantHandler, module=dev.adaptiveio.transplant, parameters={enabled=true})
/subsystem=undertow/server=default-server/host=default-host/filter-ref=transplant:add
stop-embedded-server
CLI
"$CLI" --file="$WORK/configure.cli"

start_server() {
    LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_PIDFILE="$WORK/server.pid" "$JBOSS_HOME/bin/standalone.sh" -b 127.0.0.1 -bmanagement 127.0.0.1 \
        -Djboss.socket.binding.port-offset=$OFFSET > "$WORK/server.out" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 120); do
        if "$CLI" -c --controller=127.0.0.1:$MGMT_PORT --command=':read-attribute(name=server-state)' 2>/dev/null | grep -q '"result" => "running"'; then return 0; fi
        sleep 1
    done
    fail "server did not start; see $JBOSS_HOME/standalone/log/server.log"
}
kill_server() {
    if [ -n "$SERVER_PID" ]; then
        [ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")" 2>/dev/null || true
        kill "$SERVER_PID" 2>/dev/null || true
    fi
}
trap kill_server EXIT
if (exec 3<>"/dev/tcp/127.0.0.1/$MGMT_PORT") 2>/dev/null; then fail "port $MGMT_PORT is taken: another server is running"; fi

step "start the server"
start_server

step "keep-alive connections moved between the two I/O threads (TransplantE2E.java)"
java "$HERE/TransplantE2E.java" "$(cat "$WORK/server.pid")" "$HTTP_PORT" native /

step "the same through a servlet: the serving I/O thread follows the marks"
java "$HERE/TransplantE2E.java" "$(cat "$WORK/server.pid")" "$HTTP_PORT" native /io/io

step "server.log: nothing at ERROR"
if grep -E ' ERROR ' "$JBOSS_HOME/standalone/log/server.log"; then fail "ERROR in server.log"; fi
grep -E 'ADAPTIVEIO04' "$JBOSS_HOME/standalone/log/server.log" || true
"$CLI" -c --controller=127.0.0.1:$MGMT_PORT --command=':shutdown' > /dev/null 2>&1 || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
echo; echo "PASS: transplant custom filter on WildFly"
