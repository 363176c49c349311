#!/bin/sh
# Prepares the Galleon-provisioned test server (pre-integration-test, after wildfly-maven-plugin:provision):
#
#   provision-galleon.sh GALLEON_HOME CLI_DIR
#
#   standalone-layer/   GalleonLayerIT: the configuration exactly as the layers made it (copied before any CLI)
#   standalone/         the shared server of the subset that runs here: configure-galleon.cli (no install.sh:
#                       modules, extension, subsystem and transplant filter all come from the feature pack)
set -eu
GALLEON_HOME=$1
CLI_DIR=$2

chmod +x "$GALLEON_HOME"/bin/*.sh
rm -rf "${GALLEON_HOME:?}/standalone-layer"
cp -R "$GALLEON_HOME/standalone" "$GALLEON_HOME/standalone-layer"
JBOSS_HOME="$GALLEON_HOME" "$GALLEON_HOME/bin/jboss-cli.sh" --file="$CLI_DIR/configure-galleon.cli"
echo "adaptive-io Galleon test server prepared in $GALLEON_HOME"
