// The snap-shaped machine flavour: what a Ubuntu host with the LXD snap shows its users, modelled over
// Debian's deb lxd binary (the only LXD on this host). Each behaviour follows snapd's or the LXD snap's
// sources and docs (emulator/README.md "Snap-shaped machines" names them):
// - the daemon's LXD_DIR is the snap's /var/snap/lxd/common/lxd and the machine has no /var/lib/lxd;
// - `lxc` is the snap's wrapper: snap run's home-directory check (snap-confine's user-support.c, with
//   snapd's `homedirs` system option, snapd >= 2.59), SNAP_USER_DATA/SNAP_USER_COMMON under ~/snap/lxd,
//   LXD_CONF=~/snap/lxd/common/config (the LXD snap's commands/lxc);
// - `snap` is a shim of snapd's CLI for the lxd snap and the system options it needs, its state in
//   /var/lib/snapd/jemu (private to the machine), the daemon driven through the machine's systemctl shim.

import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shellQuote } from './mount-view';

export type LxdPackaging = 'deb' | 'snap';

export const SNAP_LXD_DIR = '/var/snap/lxd/common/lxd';
/** where the shim keeps snapd's state inside the machine (under the private /var/lib/snapd) */
export const SNAPD_STATE_DIR = '/var/lib/snapd/jemu';
export const DEFAULT_SNAPD_VERSION = '2.63';
export const DEFAULT_LXD_CHANNEL = '5.21/stable';
/** snapd's `homedirs` system option appeared in 2.59 (snapd's overlord/configstate/configcore/homedirs.go) */
export const HOMEDIRS_SINCE = '2.59';

export const SNAP_LXD_UNITS = ['snap.lxd.daemon.service', 'snap.lxd.daemon.unix.socket'] as const;

/** snap-confine's refusal (cmd/snap-confine/user-support.c), snapd >= 2.59 and older */
export const HOME_REFUSAL = 'Sorry, home directories outside of /home needs configuration.\nSee https://forum.snapcraft.io/t/11209 for details.';
export const HOME_REFUSAL_OLD = 'Sorry, home directories outside of /home are not currently supported. \nSee https://forum.snapcraft.io/t/11209 for details.';

export interface SnapMachineSettings {
  readonly snapdVersion: string;
  /** the channel the preinstalled lxd snap tracks, or null: not installed */
  readonly lxdChannel: string | null;
}

/** "2.58.3" >= "2.59"? Numeric, dot by dot. */
export function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = wanted.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The initial files of the shim's state (host paths relative to the machine's /var/lib/snapd). */
export function initialSnapdState(settings: SnapMachineSettings): Record<string, string> {
  const files: Record<string, string> = { 'jemu/snapd-version': `${settings.snapdVersion}\n` };
  if (settings.lxdChannel !== null) {
    files['jemu/lxd-channel'] = `${settings.lxdChannel}\n`;
    files['jemu/lxd-revision'] = '1\n';
  }
  return files;
}

/** where the scripts find things: the machine's paths by default, a scratch directory in tests */
export interface SnapScriptPaths {
  readonly stateDir: string;
  readonly lxcBinary: string;
  readonly lxdBinary: string;
}

export const MACHINE_SNAP_PATHS: SnapScriptPaths = { stateDir: SNAPD_STATE_DIR, lxcBinary: '/usr/bin/lxc', lxdBinary: '/usr/bin/lxd' };

const common = (p: SnapScriptPaths): string => `STATE=${shellQuote(p.stateDir)}
LXC=${shellQuote(p.lxcBinary)}
LXD=${shellQuote(p.lxdBinary)}
SNAP_LXD_DIR=${SNAP_LXD_DIR}
# "2.58.3" >= "2.59"?
version_at_least() {
  [ "$(printf '%s\\n%s\\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" = "$2" ]
}
snapd_version() { cat "$STATE/snapd-version" 2>/dev/null || echo ${DEFAULT_SNAPD_VERSION}; }
lxd_channel() { cat "$STATE/lxd-channel" 2>/dev/null; }
`;

/** The lxd snap's `lxc` (POSIX sh): snap run's checks, then Debian's lxc with the snap's environment. */
export function lxcWrapperScript(paths: SnapScriptPaths = MACHINE_SNAP_PATHS): string {
  const q = shellQuote;
  return `#!/bin/sh
# lxc of the LXD snap on a juju-emulator machine: snap run + snap-confine's home check, the snap's
# LXD_DIR and LXD_CONF, then Debian's lxc (the binary underneath). See emulator/README.md.
${common(paths)}
channel=$(lxd_channel)
if [ -z "$channel" ]; then
  echo "lxc: command not found (the lxd snap is not installed: snap install lxd)" >&2
  exit 127
fi
uid=$(id -u)
home=$(getent passwd "$uid" | cut -d: -f6)
[ -n "$home" ] || { echo "cannot find the home directory of uid $uid" >&2; exit 1; }
if [ "$uid" != 0 ]; then
  # snap-confine mounts only /home (and the homedirs option's directories) into the snap's view
  allowed=0
  case "$home/" in /home/*) allowed=1 ;; esac
  if version_at_least "$(snapd_version)" ${HOMEDIRS_SINCE}; then
    for dir in $(tr ',' ' ' 2>/dev/null < "$STATE/system-homedirs"); do
      case "$home/" in "\${dir%/}"/*) allowed=1 ;; esac
    done
    refusal=${q(HOME_REFUSAL)}
  else
    refusal=${q(HOME_REFUSAL_OLD)}
  fi
  if [ "$allowed" = 0 ]; then
    printf '%s\\n' "$refusal" >&2
    exit 1
  fi
fi
rev=$(cat "$STATE/lxd-revision" 2>/dev/null || echo 1)
SNAP_USER_DATA="$home/snap/lxd/$rev"
SNAP_USER_COMMON="$home/snap/lxd/common"
if ! mkdir -p "$SNAP_USER_DATA" "$SNAP_USER_COMMON" 2>/dev/null; then
  echo "cannot create user data directory: $SNAP_USER_DATA" >&2
  exit 1
fi
ln -sfn "$rev" "$home/snap/lxd/current" 2>/dev/null || true
LXD_CONF="$SNAP_USER_COMMON/config"
# the snap's lxc wrapper moves a client config older snaps kept in the revision's HOME
if [ ! -d "$LXD_CONF" ] && [ -d "$SNAP_USER_DATA/.config/lxc" ]; then
  cp -a "$SNAP_USER_DATA/.config/lxc" "$LXD_CONF"
fi
export HOME="$SNAP_USER_DATA" LXD_CONF LXD_DIR="$SNAP_LXD_DIR" SNAP=/snap/lxd/current SNAP_NAME=lxd
export SNAP_REVISION="$rev" SNAP_USER_DATA SNAP_USER_COMMON
unset LXD_SOCKET
exec "$LXC" "$@"
`;
}

/** snapd's `snap` for the lxd snap (POSIX sh). Messages follow snapd's; see emulator/README.md. */
export function snapScript(paths: SnapScriptPaths = MACHINE_SNAP_PATHS): string {
  return `#!/bin/sh
# snap of a juju-emulator snap-shaped machine: the lxd snap and the system options it needs, nothing else.
${common(paths)}
need_root() {
  [ "$(id -u)" = 0 ] || { echo "error: access denied (try with sudo)" >&2; exit 1; }
}
lxd_version() { "$LXD" --version 2>/dev/null || echo unknown; }
need_lxd() {
  [ -n "$(lxd_channel)" ] || { echo "error: snap \\"lxd\\" is not installed" >&2; exit 1; }
}
daemon() { LXD_DIR="$SNAP_LXD_DIR" systemctl "$@"; }
# snap's option names: "system" is the core snap's configuration
option_file() {
  case "$1" in
    system|core) echo "$STATE/system-$2" ;;
    lxd) echo "$STATE/lxd-$2" ;;
    *) echo "error: snap \\"$1\\" is not installed" >&2; exit 1 ;;
  esac
}
config_snap_name() { case "$1" in system|core) echo core ;; *) echo "$1" ;; esac; }
hook_error() {
  printf 'error: cannot perform the following tasks:\\n- Run configure hook of "%s" snap (run hook "configure": %s)\\n' "$(config_snap_name "$1")" "$2" >&2
  exit 1
}
validate_homedirs() {
  [ -n "$1" ] || return 0
  old_ifs=$IFS; IFS=,
  for dir in $1; do
    case "$dir" in /*) ;; *) IFS=$old_ifs; hook_error system "path \\"$dir\\" is not absolute" ;; esac
    if printf '%s' "$dir" | grep -q '[][*?{}^]'; then IFS=$old_ifs; hook_error system "home path invalid: \\"$dir\\" contains a reserved apparmor char"; fi
    slashed="\${dir%/}/"
    for prefix in /bin/ /boot/ /dev/ /etc/ /lib/ /proc/ /root/ /sbin/ /sys/ /tmp/; do
      case "$slashed" in "$prefix"*) IFS=$old_ifs; hook_error system "path \\"$slashed\\" uses reserved root directory \\"$prefix\\"" ;; esac
    done
    [ -e "$slashed" ] || { IFS=$old_ifs; hook_error system "path \\"$slashed\\" does not exist"; }
    [ -d "$slashed" ] || { IFS=$old_ifs; hook_error system "path \\"$slashed\\" is not a directory"; }
  done
  IFS=$old_ifs
}
set_option() { # snap key value|"" (empty: unset)
  case "$1:$2" in
    system:homedirs|core:homedirs)
      version_at_least "$(snapd_version)" ${HOMEDIRS_SINCE} || hook_error system "cannot set \\"core.homedirs\\": unsupported system option"
      validate_homedirs "$3" ;;
    system:*|core:*) hook_error system "cannot set \\"core.$2\\": unsupported system option" ;;
    lxd:*) need_lxd ;;
  esac
  file=$(option_file "$1" "$2")
  if [ -z "$3" ]; then rm -f "$file"; else printf '%s\\n' "$3" > "$file"; fi
}
channel_arg() {
  for a in "$@"; do case "$a" in --channel=*) echo "\${a#--channel=}"; return ;; esac; done
  prev=
  for a in "$@"; do [ "$prev" = --channel ] && { echo "$a"; return; }; prev=$a; done
}
# "5.21" -> "5.21/stable", "stable" -> "latest/stable", as snapd tracks them
normal_channel() {
  case "$1" in
    */*) echo "$1" ;;
    stable|candidate|beta|edge) echo "latest/$1" ;;
    *) echo "$1/stable" ;;
  esac
}
only_lxd() {
  for name in "$@"; do
    case "$name" in -*) ;; lxd|lxd.daemon|lxd.activate|lxd.user-daemon) ;; *) echo "error: snap \\"$name\\" not found" >&2; exit 1 ;; esac
  done
}

cmd=\${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  version)
    v=$(snapd_version)
    printf 'snap    %s\\nsnapd   %s\\nseries  16\\nubuntu  24.04\\nkernel  %s\\n' "$v" "$v" "$(uname -r)" ;;
  list)
    for name in "$@"; do
      case "$name" in -*) ;; lxd) need_lxd >/dev/null 2>&1 || { echo "error: no matching snaps installed" >&2; exit 1; } ;;
        snapd) ;; *) echo "error: no matching snaps installed" >&2; exit 1 ;; esac
    done
    printf '%-6s %-10s %-6s %-14s %-12s %s\\n' Name Version Rev Tracking Publisher Notes
    want=" $* "
    if [ $# -eq 0 ] || [ "\${want#* snapd }" != "$want" ]; then
      printf '%-6s %-10s %-6s %-14s %-12s %s\\n' snapd "$(snapd_version)" 21759 latest/stable 'canonical**' snapd
    fi
    if [ -n "$(lxd_channel)" ] && { [ $# -eq 0 ] || [ "\${want#* lxd }" != "$want" ]; }; then
      publisher='canonical**'; [ "$(lxd_channel)" = - ] && publisher=-
      printf '%-6s %-10s %-6s %-14s %-12s %s\\n' lxd "$(lxd_version)" "$(cat "$STATE/lxd-revision")" "$(lxd_channel)" "$publisher" -
    fi ;;
  info)
    [ "\${1:-}" = lxd ] || { echo "error: no snap found for \\"\${1:-}\\"" >&2; exit 1; }
    echo "name:      lxd"
    echo "summary:   LXD - container and VM manager"
    echo "publisher: Canonical**"
    echo "license:   AGPL-3.0"
    echo "snap-id:   J60k4JY0HppjwOjW8dZdYc8obXKxujRu"
    if [ -n "$(lxd_channel)" ]; then
      echo "tracking:     $(lxd_channel)"
      echo "installed:    $(lxd_version) ($(cat "$STATE/lxd-revision")) juju-emulator: Debian's lxd underneath"
    fi
    echo "channels:"
    for c in 5.21/stable 5.0/stable latest/stable 6/stable; do echo "  $c: $(lxd_version)"; done ;;
  get)
    [ "\${1:-}" = -d ] && shift
    target=\${1:-}; key=\${2:-}
    [ -n "$target" ] || { echo "error: the required argument <snap> was not provided" >&2; exit 1; }
    [ "$target" = lxd ] && need_lxd
    if [ -z "$key" ]; then
      echo "Key  Value"
      for f in "$STATE/$( [ "$target" = lxd ] && echo lxd || echo system)"-*; do
        [ -f "$f" ] || continue
        k=\${f##*/}; k=\${k#*-}; echo "$k  $(cat "$f")"
      done
      exit 0
    fi
    file=$(option_file "$target" "$key")
    [ -f "$file" ] || { echo "error: snap \\"$(config_snap_name "$target")\\" has no \\"$key\\" configuration option" >&2; exit 1; }
    cat "$file" ;;
  set|unset)
    need_root
    target=\${1:-}
    [ -n "$target" ] && [ $# -ge 2 ] || { echo "error: the required arguments <snap> and <conf value> were not provided" >&2; exit 1; }
    shift
    for kv in "$@"; do
      if [ "$cmd" = unset ]; then set_option "$target" "$kv" ""; continue; fi
      case "$kv" in
        *!) set_option "$target" "\${kv%!}" "" ;;
        *=*) set_option "$target" "\${kv%%=*}" "\${kv#*=}" ;;
        *) echo "error: invalid configuration: \\"$kv\\" (want key=value)" >&2; exit 1 ;;
      esac
    done ;;
  install)
    need_root
    file=; dangerous=
    for a in "$@"; do case "$a" in --dangerous) dangerous=1 ;; -*) ;; *) file=$a ;; esac; done
    case "$file" in
      */*|*.snap)
        # a snap file (snapd's sideload): --dangerous because it has no store assertion
        [ -n "$dangerous" ] || { echo "error: cannot find signatures with metadata for snap \\"$file\\"" >&2; exit 1; }
        [ -f "$file" ] || { echo "error: cannot open \\"$file\\": open $file: no such file or directory" >&2; exit 1; }
        [ "$(head -c 4 "$file")" = hsqs ] || { echo "error: cannot read \\"$file\\": cannot process snap or snapdir: file \\"$file\\" is invalid (not a squashfs)" >&2; exit 1; }
        was=$(lxd_channel)
        case "$(cat "$STATE/lxd-revision" 2>/dev/null)" in x*|'') ;; *) cp "$STATE/lxd-revision" "$STATE/lxd-store-revision" ;; esac
        n=$(( $(cat "$STATE/lxd-local-count" 2>/dev/null || echo 0) + 1 ))
        echo $n > "$STATE/lxd-local-count"
        echo - > "$STATE/lxd-channel"
        echo x$n > "$STATE/lxd-revision"
        sha256sum "$file" | cut -d' ' -f1 > "$STATE/lxd-local-sha256"
        if [ -n "$was" ]; then daemon reload snap.lxd.daemon.service || exit 1; else daemon start snap.lxd.daemon.service || exit 1; fi
        echo "lxd $(lxd_version) installed"
        exit 0 ;;
    esac
    only_lxd "$@"
    if [ -n "$(lxd_channel)" ]; then echo "snap \\"lxd\\" is already installed, see 'snap help refresh'"; exit 0; fi
    channel=$(normal_channel "$(channel_arg "$@")")
    [ "$channel" != /stable ] || channel=${DEFAULT_LXD_CHANNEL}
    echo "$channel" > "$STATE/lxd-channel"
    echo 1 > "$STATE/lxd-revision"
    daemon start snap.lxd.daemon.service || exit 1
    echo "lxd ($channel) $(lxd_version) from Canonical** installed" ;;
  refresh)
    need_root
    only_lxd "$@"
    need_lxd
    wanted=$(channel_arg "$@")
    if [ "$(lxd_channel)" = - ]; then
      # a sideloaded snap goes back to the store only with --amend (snapd's refresh of a local snap)
      amend=; for a in "$@"; do [ "$a" = --amend ] && amend=1; done
      [ -n "$amend" ] || { echo "error: local snap \\"lxd\\" is unknown to the store, use --amend to proceed anyway" >&2; exit 1; }
      normal_channel "\${wanted:-latest/stable}" > "$STATE/lxd-channel"
      echo $(( $(cat "$STATE/lxd-store-revision" 2>/dev/null || echo 0) + 1 )) > "$STATE/lxd-revision"
      rm -f "$STATE/lxd-local-sha256"
      daemon reload snap.lxd.daemon.service || exit 1
      echo "lxd ($(lxd_channel)) $(lxd_version) from Canonical** refreshed"
    elif [ -n "$wanted" ] && [ "$(normal_channel "$wanted")" != "$(lxd_channel)" ]; then
      normal_channel "$wanted" > "$STATE/lxd-channel"
      echo $(( $(cat "$STATE/lxd-revision") + 1 )) > "$STATE/lxd-revision"
      # a refresh restarts the snap's services; instances keep running (the LXD snap's daemon.stop on refresh)
      daemon reload snap.lxd.daemon.service || exit 1
      echo "lxd ($(lxd_channel)) $(lxd_version) from Canonical** refreshed"
    else
      echo "snap \\"lxd\\" has no updates available"
    fi ;;
  alias)
    need_root
    need_lxd
    [ "\${1:-}" = lxd.lxc ] && [ "\${2:-}" = lxc ] || { echo "error: cannot alias \\"\${1:-}\\": the juju-emulator snap knows only lxd.lxc as lxc" >&2; exit 1; }
    printf 'Added:\\n  - lxd.lxc as lxc\\n' ;;
  start|stop|restart)
    need_root
    only_lxd "$@"
    need_lxd
    case "$cmd" in
      start) daemon start snap.lxd.daemon.unix.socket snap.lxd.daemon.service || exit 1; echo Started. ;;
      stop) daemon stop snap.lxd.daemon.unix.socket snap.lxd.daemon.service || exit 1; echo Stopped. ;;
      restart) daemon restart snap.lxd.daemon.service || exit 1; echo Restarted. ;;
    esac ;;
  services)
    only_lxd "$@"
    printf '%-16s %-8s %-9s %s\\n' Service Startup Current Notes
    [ -n "$(lxd_channel)" ] || exit 0
    if systemctl is-active --quiet snap.lxd.daemon.service; then current=active; else current=inactive; fi
    printf '%-16s %-8s %-9s %s\\n' lxd.activate enabled inactive -
    printf '%-16s %-8s %-9s %s\\n' lxd.daemon enabled "$current" socket-activated
    printf '%-16s %-8s %-9s %s\\n' lxd.user-daemon enabled inactive socket-activated ;;
  ''|help|--help)
    echo "The juju-emulator snap knows: version, list, info, get, set, unset, install (also install --dangerous <file>), refresh (--amend for a sideloaded snap), alias, start, stop, restart, services (for the lxd snap and system options)." ;;
  *)
    echo "error: unknown command \\"$cmd\\", see 'snap help' (the juju-emulator snap models the lxd snap only)." >&2
    exit 1 ;;
esac
`;
}

/** Writes `snap` and `lxc` into the machine's shim directory (first on the hook PATH). */
export async function writeSnapCommands(shimDir: string, lxdBinary: string): Promise<void> {
  const paths = { ...MACHINE_SNAP_PATHS, lxdBinary };
  for (const [name, script] of [
    ['snap', snapScript(paths)],
    ['lxc', lxcWrapperScript(paths)],
  ] as const) {
    const file = path.join(shimDir, name);
    await writeFile(file, script);
    await chmod(file, 0o755);
  }
}

/** Ubuntu's os-release for a snap-shaped machine (the charm's source=auto picks the snap there). */
export const UBUNTU_OS_RELEASE = `PRETTY_NAME="Ubuntu 24.04 LTS (juju-emulator snap-shaped machine)"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble
`;
