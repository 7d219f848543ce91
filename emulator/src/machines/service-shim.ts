// A minimal service manager for namespace machines, which have no init system: a `systemctl` that
// knows the units of Debian's lxd deb (lxd.service, lxd.socket, lxd-containers.service) and drives the
// machine's own LXD daemon, so a charm's real `systemctl stop|start|is-active` works inside a machine.
// It also runs the units software installed on the machine itself (unit files written to the machine's
// own /etc/systemd/system, i.e. its /etc overlay's upper layer; the host's units are not the machine's):
// Type=oneshot (ExecStartPre/ExecStart/ExecStartPost in order, RemainAfterExit) and long-running types
// (ExecStart detached, by pid); `enable [--now]`, `disable`, `is-enabled`, `daemon-reload`. A reboot
// (boot.ts) starts the enabled ones.
// It lives in <machineDir>/service-shim, bind-mounted over /usr/local/sbin (the hook PATH's first system
// directory) in the machine's private mount view only. A daemon it starts is detached (own session) and
// its pid goes to lxd.pid, where stopLxd and the teardown look, so nothing outlives the machine.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import { ROOT_ENV, run } from './command';
import { NSENTER, handlesOf } from './enter';
import { lxdBinary, lxdPidFile } from './lxd-daemon';
import { shellQuote } from './mount-view';
import { sysctlScript, sysctlShimFiles } from './sysctl-shim';

/** where the shim appears inside a machine: first on the hook PATH after the tools dir, empty on Debian */
export const SHIM_GUEST_DIR = '/usr/local/sbin';

/** the units the shim knows: all three mean "the machine's LXD daemon" */
export const LXD_UNITS = ['lxd.service', 'lxd.socket', 'lxd-containers.service'] as const;

export interface ShimSettings {
  /** where the daemon's pid is kept (the emulator's lxd.pid) */
  readonly pidFile: string;
  readonly lxdBinary: string;
  /** the daemon's stdout/stderr */
  readonly outputLog: string;
  /** the daemon's environment: PATH and friends, nothing from the hook */
  readonly daemonEnv: Readonly<Record<string, string>>;
  /** seconds a plain `stop lxd.service` waits after SIGTERM before SIGKILL (systemd's TimeoutStopSec) */
  readonly stopTimeoutS: number;
  /** where the machine's own unit files are, seen from inside: its /etc/systemd/system */
  readonly unitDir: string;
  /** the same directory's upper (machine-written) layer: a unit is the machine's if it is there */
  readonly ownUnitDir: string;
  /** what runs now (pids, active marks) for the machine's own units; emptied by a reboot */
  readonly stateDir: string;
}

export function shimDirOf(machineDir: string): string {
  return path.join(machineDir, 'service-shim');
}

export function shimSettings(machineDir: string, binary: string): ShimSettings {
  return {
    pidFile: lxdPidFile(machineDir),
    lxdBinary: binary,
    outputLog: path.join(machineDir, 'lxd.stdout.log'),
    daemonEnv: ROOT_ENV,
    stopTimeoutS: 30,
    unitDir: '/etc/systemd/system',
    ownUnitDir: path.join(machineDir, 'etc', 'upper', 'systemd', 'system'),
    stateDir: serviceStateDirOf(machineDir),
  };
}

/** where the shim keeps what the machine's own units are doing (a reboot empties it) */
export function serviceStateDirOf(machineDir: string): string {
  return path.join(machineDir, 'service-state');
}

/** The `systemctl` script (POSIX sh). Exit codes as systemctl's: 1 usage, 3 inactive, 5 no such unit. */
export function systemctlScript(settings: ShimSettings): string {
  const q = shellQuote;
  const env = Object.entries(settings.daemonEnv).map(([k, v]) => q(`${k}=${v}`)).join(' ');
  return `#!/bin/sh
# systemctl of a juju-emulator machine (no init system here): knows LXD's units, nothing else.
PIDFILE=${q(settings.pidFile)}
LXD=${q(settings.lxdBinary)}
OUTLOG=${q(settings.outputLog)}
STOP_TIMEOUT=${settings.stopTimeoutS}
UNITDIR=${q(settings.unitDir)}
OWNDIR=${q(settings.ownUnitDir)}
STATEDIR=${q(settings.stateDir)}

quiet=0
now=0
verb=
units=
for arg in "$@"; do
  case "$arg" in
    -q|--quiet) quiet=1 ;;
    --now) now=1 ;;
    --no-block|--no-pager|--no-ask-password|--system|--no-reload) ;;
    -*) echo "systemctl: unrecognized option '$arg' (the juju-emulator systemctl knows -q, --quiet, --now, --no-block)" >&2; exit 1 ;;
    *) if [ -z "$verb" ]; then verb=$arg; else units="$units $arg"; fi ;;
  esac
done

# lxd -> lxd.service, as systemctl completes a bare name
full_name() {
  case "$1" in
    *.service|*.socket|*.target|*.timer|*.mount) echo "$1" ;;
    *) echo "$1.service" ;;
  esac
}
known() {
  case "$1" in ${LXD_UNITS.join('|')}) return 0 ;; esac
  return 1
}
# the daemon's pid when it runs (not a zombie, really lxd), else nothing
daemon_pid() {
  pid=$(cat "$PIDFILE" 2>/dev/null)
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = lxd ] || return 1
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 1
  echo "$pid"
}
wait_gone() {
  i=0
  while daemon_pid >/dev/null; do
    [ "$i" -ge "$(($1 * 10))" ] && return 1
    sleep 0.1
    i=$((i + 1))
  done
  return 0
}
stop_daemon() {
  pid=$(daemon_pid) || return 0
  if [ "$1" = shutdown ]; then
    # lxd-containers.service's ExecStop: instances shut down cleanly, then the daemon exits
    "$LXD" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
  else
    # lxd.service: KillMode=process, SIGTERM to the daemon only
    kill -TERM "$pid" 2>/dev/null
  fi
  if ! wait_gone "$STOP_TIMEOUT"; then
    kill -KILL "$pid" 2>/dev/null
    wait_gone 5 || { echo "Failed to stop lxd.service: pid $pid does not exit" >&2; return 1; }
  fi
  rm -f "$PIDFILE"
}
start_daemon() {
  daemon_pid >/dev/null && return 0
  # own session: a hook's end or timeout (which kills its process group) does not reach the daemon
  ( cd / && exec setsid /bin/sh -c 'echo $$ > "$0" && exec "$@"' "$PIDFILE" env -i ${env} "$LXD" --group lxd --logfile /var/log/lxd/lxd.log ) </dev/null >>"$OUTLOG" 2>&1 &
  # ExecStartPost of Debian's lxd.service
  if ! "$LXD" waitready --timeout=600 >/dev/null 2>&1; then
    echo "Job for lxd.service failed: the daemon did not become ready (see $OUTLOG and /var/log/lxd/lxd.log)" >&2
    return 1
  fi
}

# ---- the machine's own units (unit files it wrote to its /etc/systemd/system) ----
own_unit() {
  [ -f "$OWNDIR/$1" ] && [ -f "$UNITDIR/$1" ]
}
# the values of one key of a unit file, one per line, in order
unit_values() {
  sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$UNITDIR/$1"
}
unit_type() {
  t=$(unit_values "$1" Type | tail -n 1)
  echo "\${t:-simple}"
}
# runs each command line of a key in order; a leading - means its failure is ignored
run_lines() {
  unit_values "$1" "$2" > "$STATEDIR/.lines.$$"
  rc=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    ignore=0
    case "$line" in -*) ignore=1; line=\${line#-} ;; esac
    line=\${line#[@+!]}
    if ! /bin/sh -c "$line" </dev/null; then [ "$ignore" = 1 ] || { rc=1; break; }; fi
  done < "$STATEDIR/.lines.$$"
  rm -f "$STATEDIR/.lines.$$"
  return $rc
}
own_pid() {
  pid=$(cat "$STATEDIR/$1.pid" 2>/dev/null)
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 1
  echo "$pid"
}
own_active() {
  [ -e "$STATEDIR/$1.active" ] || own_pid "$1" >/dev/null
}
own_start() {
  own_active "$1" && return 0
  mkdir -p "$STATEDIR"
  run_lines "$1" ExecStartPre || { echo "Job for $1 failed because the control process exited with error code." >&2; return 1; }
  if [ "$(unit_type "$1")" = oneshot ]; then
    run_lines "$1" ExecStart || { echo "Job for $1 failed because the control process exited with error code." >&2; return 1; }
    case "$(unit_values "$1" RemainAfterExit | tail -n 1)" in yes|true|1|on) touch "$STATEDIR/$1.active" ;; esac
  else
    cmd=$(unit_values "$1" ExecStart | tail -n 1)
    cmd=\${cmd#-}
    ( cd / && exec setsid /bin/sh -c 'echo $$ > "$0" && exec /bin/sh -c "$1"' "$STATEDIR/$1.pid" "$cmd" ) </dev/null >>"$STATEDIR/$1.log" 2>&1 &
    i=0
    while [ ! -s "$STATEDIR/$1.pid" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  fi
  run_lines "$1" ExecStartPost || { echo "Job for $1 failed because the control process exited with error code." >&2; return 1; }
}
own_stop() {
  own_active "$1" || return 0
  run_lines "$1" ExecStop || true
  if pid=$(own_pid "$1"); then
    kill -TERM "$pid" 2>/dev/null
    i=0
    while own_pid "$1" >/dev/null && [ "$i" -lt "$((STOP_TIMEOUT * 10))" ]; do sleep 0.1; i=$((i + 1)); done
    own_pid "$1" >/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$STATEDIR/$1.pid" "$STATEDIR/$1.active"
  run_lines "$1" ExecStopPost || true
}
# enabled = linked from a .wants directory of the machine's own /etc, as systemctl enable does
own_enabled() {
  for link in "$UNITDIR"/*.wants/"$1"; do [ -e "$link" ] && return 0; done
  return 1
}
own_enable() {
  targets=$(unit_values "$1" WantedBy | tr ' ' '\n' | grep -v '^$')
  [ -n "$targets" ] || targets=multi-user.target
  for t in $targets; do
    mkdir -p "$UNITDIR/$t.wants"
    ln -sf "$UNITDIR/$1" "$UNITDIR/$t.wants/$1"
  done
}
own_disable() {
  for link in "$UNITDIR"/*.wants/"$1"; do [ -e "$link" ] || [ -L "$link" ] && rm -f "$link"; done
  return 0
}

[ -n "$verb" ] || { echo "systemctl: the juju-emulator systemctl needs a verb (start, stop, restart, is-active, status, enable, disable, is-enabled, daemon-reload)" >&2; exit 1; }
resolved=
for u in $units; do resolved="$resolved $(full_name "$u")"; done
case "$verb" in
  daemon-reload) exit 0 ;;
  start|stop|restart|is-active|status|enable|disable|is-enabled) ;;
  *) echo "Unknown command verb '$verb' (the juju-emulator systemctl knows start, stop, restart, is-active, status, enable, disable, is-enabled, daemon-reload)." >&2; exit 1 ;;
esac
[ -n "$resolved" ] || { echo "Too few arguments." >&2; exit 1; }

case "$verb" in
  is-active)
    any=3
    for u in $resolved; do
      if known "$u" && daemon_pid >/dev/null; then state=active; any=0
      elif own_unit "$u" && own_active "$u"; then state=active; any=0
      else state=inactive; fi
      [ "$quiet" = 1 ] || echo "$state"
    done
    exit $any ;;
  status)
    rc=0
    for u in $resolved; do
      if own_unit "$u"; then
        echo "* $u (juju-emulator)"
        if pid=$(own_pid "$u"); then echo "     Active: active (running); Main PID: $pid"
        elif own_active "$u"; then echo "     Active: active (exited)"
        else echo "     Active: inactive (dead)"; [ "$rc" = 0 ] && rc=3; fi
        continue
      fi
      if ! known "$u"; then echo "Unit $u could not be found." >&2; rc=4; continue; fi
      if pid=$(daemon_pid); then echo "* $u - LXD (juju-emulator)"; echo "     Active: active (running); Main PID: $pid"
      else echo "* $u - LXD (juju-emulator)"; echo "     Active: inactive (dead)"; [ "$rc" = 0 ] && rc=3; fi
    done
    exit $rc ;;
  is-enabled)
    any=1
    for u in $resolved; do
      if known "$u" || { own_unit "$u" && own_enabled "$u"; }; then state=enabled; any=0
      elif own_unit "$u"; then state=disabled
      else echo "Failed to get unit file state for $u: No such file or directory" >&2; exit 1; fi
      [ "$quiet" = 1 ] || echo "$state"
    done
    exit $any ;;
esac

# the machine's own units: every named unit is one of them, or none is
own=0
for u in $resolved; do own_unit "$u" && own=1; done
if [ "$own" = 1 ]; then
  for u in $resolved; do
    own_unit "$u" || { echo "Failed to $verb $u: Unit $u not found." >&2; exit 5; }
  done
  for u in $resolved; do
    case "$verb" in
      start) own_start "$u" || exit 1 ;;
      stop) own_stop "$u" ;;
      restart) own_stop "$u"; own_start "$u" || exit 1 ;;
      enable) own_enable "$u"; if [ "$now" = 1 ]; then own_start "$u" || exit 1; fi ;;
      disable) own_disable "$u"; if [ "$now" = 1 ]; then own_stop "$u"; fi ;;
    esac
  done
  exit 0
fi

for u in $resolved; do
  known "$u" || { echo "Failed to $verb $u: Unit $u not found." >&2; exit 5; }
done
# LXD's units come with the package: enabled already, and enable/disable change nothing here
case "$verb" in enable|disable) exit 0 ;; esac
mode=term
case " $resolved " in *" lxd-containers.service "*) mode=shutdown ;; esac
case "$verb" in
  stop) stop_daemon "$mode" ;;
  start) start_daemon ;;
  restart) stop_daemon "$mode" && start_daemon ;;
esac
`;
}

/** nsenter argv that bind-mounts the shim directory over SHIM_GUEST_DIR in the machine's mount view only. */
export function shimMountArgv(mntNs: string, shimDir: string): string[] {
  return [NSENTER, `--mount=${mntNs}`, '--', 'mount', '--bind', shimDir, SHIM_GUEST_DIR];
}

/** Writes the shim and mounts it into the machine (after its mount view exists). */
export async function installServiceShim(machine: MachineRecord): Promise<void> {
  const h = handlesOf(machine);
  const dir = shimDirOf(h.machineDir);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'systemctl');
  await writeFile(file, systemctlScript(shimSettings(h.machineDir, lxdBinary())));
  await chmod(file, 0o755);
  // sysctl beside it: kernel values a charm sets stay in this machine (sysctl-shim.ts)
  const sysctl = path.join(dir, 'sysctl');
  await writeFile(sysctl, sysctlScript(sysctlShimFiles(h.machineDir)));
  await chmod(sysctl, 0o755);
  await run(shimMountArgv(h.mntNs, dir));
}
