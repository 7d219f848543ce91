#!/usr/bin/env bash
# Prepares a Debian 12 machine for this repository's build, tests and demo: installs the Debian
# packages the emulator's machines and the end-to-end tests use, and checks Node.js. Idempotent:
# when everything is present it changes nothing and needs no network. Run as root (the tests are).
set -euo pipefail

# Each package exists in Debian 12 (bookworm); checked with apt-cache policy.
PACKAGES=(
  lxd lxd-client              # LXD 5.0.2 daemons, one per emulated machine
  lvm2 thin-provisioning-tools btrfs-progs squashfs-tools xz-utils  # storage pools, image unpacking
  busybox-static              # minimal container/image userland for tests
  python3-pylxd               # pylxd 2.2.10, the client nova-lxd drives LXD with (its e2e test)
  dnsmasq-base nftables       # LXD bridges' DHCP/DNS and NAT (the charm's install wants both)
  uidmap                      # newuidmap/newgidmap for unprivileged containers
  iproute2 util-linux         # ip netns / veth, unshare / nsenter / losetup
  zip unzip                   # inspecting .charm archives by hand and in benchmarks
  gcc make                    # the emulator's small native helpers
  curl openssl                # the https relation's client test charm (its certificate, its API calls)
)
NODE_MIN_MAJOR=20 NODE_MIN_MINOR=19   # eslint 10 needs ^20.19; the charm bundle itself targets Node 18.19

missing=()
for package in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-host: missing Debian packages: ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup-host: all ${#PACKAGES[@]} Debian packages present"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup-host: Node.js >= ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} with npm is required (Debian 12's nodejs 18 is too old for the dev tools)" >&2
  exit 1
fi
node_version=$(node -p 'process.versions.node')
IFS=. read -r major minor _ <<<"$node_version"
if [ "$major" -lt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
  echo "setup-host: Node.js $node_version is too old: >= ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} needed" >&2
  exit 1
fi
echo "setup-host: node $node_version, npm $(npm --version)"
