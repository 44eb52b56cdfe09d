#!/bin/sh
# Copies a model repository (BASE/NAME/VERSION/) from object storage into /models one version at a time: each new version
# is downloaded into a hidden staging folder beside it and renamed into place, so `hpo serve` never sees half a version.
# Existing versions are never rewritten (versions are immutable); versions removed from the bucket are removed here too.
#
# Used by the serving Deployment (init container: the newest models before the server starts; sidecar: every
# $SYNC_INTERVAL seconds after) and by the VM recipe (deploy/vm/serving-cloud-init.yaml, a systemd timer).
# Needs the AWS CLI (S3, or any S3-compatible store such as Alibaba Cloud OSS through --endpoint-url in $SYNC_ARGS).
#
# Environment: MODELS_URL (s3://bucket/models), MODELS_DIR (/models), SYNC_ARGS (extra `aws s3` arguments), ONCE (1: one pass).
set -eu
: "${MODELS_URL:?set MODELS_URL to the repository in object storage, such as s3://bucket/models}"
MODELS_DIR="${MODELS_DIR:-/models}"
SYNC_INTERVAL="${SYNC_INTERVAL:-30}"

sync_once() {
  for name in $(aws s3 ls $SYNC_ARGS "$MODELS_URL/" | awk '/PRE /{sub("/$", "", $2); print $2}'); do
    remote_versions=$(aws s3 ls $SYNC_ARGS "$MODELS_URL/$name/" | awk '/PRE /{sub("/$", "", $2); print $2}' | grep -E '^[1-9][0-9]*$' || true)
    mkdir -p "$MODELS_DIR/$name"
    for version in $remote_versions; do
      [ -d "$MODELS_DIR/$name/$version" ] && continue
      staging="$MODELS_DIR/$name/.sync-$version"
      rm -rf "$staging"
      # A version whose manifest is not uploaded yet is still being published: take it on a later pass.
      aws s3 ls $SYNC_ARGS "$MODELS_URL/$name/$version/manifest.json" >/dev/null 2>&1 || continue
      aws s3 cp $SYNC_ARGS --recursive --only-show-errors "$MODELS_URL/$name/$version/" "$staging/"
      mv "$staging" "$MODELS_DIR/$name/$version"
      echo "sync-models: $name version $version"
    done
    for local in "$MODELS_DIR/$name"/*; do
      version=$(basename "$local")
      case " $(echo $remote_versions) " in *" $version "*) ;; *) rm -rf "$local"; echo "sync-models: removed $name version $version" ;; esac
    done
  done
}

if [ "${ONCE:-0}" = "1" ]; then
  sync_once
  exit 0
fi

while true; do
  sync_once || echo "sync-models: pass failed; retrying in $SYNC_INTERVAL s" >&2
  sleep "$SYNC_INTERVAL"
done
