#!/bin/sh
# Provisions the test servers (pre-integration-test): adaptive-io installed with the distribution's own
# install.sh, then configured offline with jboss-cli (embed-server), as a user would.
#
#   provision.sh JBOSS_HOME DIST_HOME CLI_DIR
#
# Server base directories (one unpacked WildFly, one JBoss modules tree):
#   standalone/           the shared server of most tests: workers native (epoll) and uring (io_uring)
#   standalone-restart/   RestartPersistenceIT: stopped and started by the test (manual container)
#   standalone-nouring/   IoUringUnavailableIT: started with -Dadaptiveio.io_uring=disabled (manual container)
set -eu
JBOSS_HOME=$1
DIST_HOME=$2
CLI_DIR=$3

# The zip unpacker does not always keep the executable bits.
chmod +x "$JBOSS_HOME"/bin/*.sh "$DIST_HOME"/bin/*.sh

cli() {
    JBOSS_HOME="$JBOSS_HOME" "$JBOSS_HOME/bin/jboss-cli.sh" --file="$1"
}

sh "$DIST_HOME/bin/install.sh" "$JBOSS_HOME"
cli "$CLI_DIR/configure-common.cli"

for base in standalone-restart standalone-nouring; do
    rm -rf "${JBOSS_HOME:?}/$base"
    cp -R "$JBOSS_HOME/standalone" "$JBOSS_HOME/$base"
done

cli "$CLI_DIR/configure-main.cli"
echo "adaptive-io test servers provisioned in $JBOSS_HOME"
