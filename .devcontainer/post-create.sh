#!/usr/bin/env bash
# Installs the pinned kind and clusterctl, etcd for the tenancy tests, the npm packages,
# and checks the inotify limits kind needs (they are the host's: a container cannot raise them).
set -euo pipefail

arch=$(dpkg --print-architecture)   # amd64 | arm64: the names both projects release under

install_bin() { # name url
  local tmp
  tmp=$(mktemp)
  curl -fsSL -o "$tmp" "$2"
  sudo install -m 0755 "$tmp" "/usr/local/bin/$1"
  rm -f "$tmp"
}

command -v kind >/dev/null || install_bin kind "https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-${arch}"
command -v clusterctl >/dev/null || install_bin clusterctl "https://github.com/kubernetes-sigs/cluster-api/releases/download/${CLUSTERCTL_VERSION}/clusterctl-linux-${arch}"
if ! command -v etcd >/dev/null; then
  sudo apt-get update && sudo apt-get install -y --no-install-recommends etcd-server etcd-client
fi

npm ci

# kind + CAPI with many controllers exhausts the defaults (kind's known-issues page).
watches=$(cat /proc/sys/fs/inotify/max_user_watches)
instances=$(cat /proc/sys/fs/inotify/max_user_instances)
if [ "$watches" -lt 524288 ] || [ "$instances" -lt 512 ]; then
  echo "inotify limits are low (max_user_watches=$watches, max_user_instances=$instances)."
  echo "On the HOST run: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
fi

kind version && clusterctl version -o short && kubectl version --client=true
echo "Ready. Next: npx scale-tui doctor && npx scale-tui setup"
