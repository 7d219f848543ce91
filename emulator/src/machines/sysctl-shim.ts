// A `sysctl` for namespace machines. Most kernel values are global (only net.* follow the network
// namespace), so a real `sysctl -w` in one machine would change the host and every other machine.
// The shim keeps each machine's writes in its own file instead: it reads a key from that file, or
// else (read-only) from the host's /proc/sys as this machine sees it, and writes only to the file.
// Keys listed in <machineDir>/sysctl.readonly refuse writes as a container's read-only /proc/sys does.
// It is installed beside the systemctl shim (service-shim.ts), first on the hook PATH.
import path from 'node:path';
import { shellQuote } from './mount-view';

export interface SysctlShimFiles {
  /** key=value lines: what the machine's "kernel" was set to */
  readonly values: string;
  /** one key a line: writes refused with sysctl's read-only error */
  readonly readOnly: string;
}

export function sysctlShimFiles(machineDir: string): SysctlShimFiles {
  return { values: path.join(machineDir, 'sysctl.values'), readOnly: path.join(machineDir, 'sysctl.readonly') };
}

/** The script (POSIX sh). Flags as procps' sysctl: -e, -n, -q, -w, -p FILE; "key = value" output. */
export function sysctlScript(files: SysctlShimFiles): string {
  const q = shellQuote;
  return `#!/bin/sh
# sysctl of a juju-emulator machine: writes go to this machine's own file, never to the host kernel.
VALUES=${q(files.values)}
READONLY=${q(files.readOnly)}
PROCSYS=/proc/sys
touch "$VALUES"

ignore_missing=0
names_only=1
write=0
status=0

keypath() { printf '%s/%s' "$PROCSYS" "$(printf '%s' "$1" | tr . /)"; }

show() {
  key=$1
  if awk -F= -v k="$key" '$1 == k { found = 1; exit } END { exit !found }' "$VALUES"; then
    value=$(awk -F= -v k="$key" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$VALUES")
  else
    file=$(keypath "$key")
    if [ ! -r "$file" ]; then
      [ "$ignore_missing" = 1 ] && return 0
      echo "sysctl: cannot stat $file: No such file or directory" >&2
      status=255
      return 0
    fi
    value=$(tr -s '[:blank:]' ' ' < "$file")
  fi
  if [ "$names_only" = 1 ]; then echo "$key = $value"; else echo "$value"; fi
}

set_one() {
  key=\${1%%=*}
  value=\${1#*=}
  file=$(keypath "$key")
  if [ ! -e "$file" ]; then
    echo "sysctl: cannot stat $file: No such file or directory" >&2
    status=255
    return 0
  fi
  if [ -f "$READONLY" ] && grep -q -x -F -- "$key" "$READONLY"; then
    echo "sysctl: setting key \\"$key\\": Read-only file system" >&2
    status=255
    return 0
  fi
  awk -F= -v k="$key" '$1 != k' "$VALUES" > "$VALUES.tmp"
  printf '%s=%s\\n' "$key" "$value" >> "$VALUES.tmp"
  mv "$VALUES.tmp" "$VALUES"
  [ "$quiet" = 1 ] || echo "$key = $value"
}

quiet=0
load=
for arg in "$@"; do
  if [ "$load" = next ]; then load=$arg; continue; fi
  case "$arg" in
    -e|--ignore) ignore_missing=1 ;;
    -n|--values) names_only=0 ;;
    -q|--quiet) quiet=1 ;;
    -w|--write) write=1 ;;
    -p|--load) load=next ;;
    -*) echo "sysctl: unsupported option $arg (juju-emulator shim)" >&2; exit 1 ;;
  esac
done
if [ -n "$load" ]; then
  [ "$load" = next ] && load=/etc/sysctl.conf
  while IFS= read -r line; do
    case "$line" in ''|'#'*|';'*) continue ;; esac
    set_one "$(printf '%s' "$line" | sed 's/[[:space:]]*=[[:space:]]*/=/; s/^[[:space:]]*//; s/[[:space:]]*$//')"
  done < "$load"
  exit $status
fi
for arg in "$@"; do
  case "$arg" in -*) continue ;; esac
  if [ "$write" = 1 ] || printf '%s' "$arg" | grep -q =; then set_one "$arg"; else show "$arg"; fi
done
exit $status
`;
}
