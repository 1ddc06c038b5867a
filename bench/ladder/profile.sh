#!/bin/bash
# profile.sh OUT WORKLOAD MODE MOUNTPOINT: given to run.sh --exec by scripts/bench-ladder.js. Runs the
# driver's WORKLOAD on the mounted benchfs and, around it, watches the filesystem process (the one that
# holds /dev/fuse and has MOUNTPOINT among its arguments):
#   stat:   perf stat (cycles, instructions, context switches, migrations, page faults, task-clock)
#   record: perf record -g (cpu-clock where the VM has no cycle counter)
#   plain:  nothing (the node flags in RXFUSE_NODE_FLAGS trace into the filesystem's log)
# Writes OUT.drv.json (the driver's line), OUT.cpu (CPU ticks of the process, wall seconds, ticks per
# second) and OUT.perf.csv or OUT.perf.data.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1" workload="$2" mode="$3" mnt="$4"
drv="$here/driver/benchdrv"

fs_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -cxF -- "$mnt")" -gt 0 ] || continue
		ls -l "$p/fd" 2>/dev/null | grep -q ' -> /dev/fuse$' && { echo "${p#/proc/}"; return 0; }
	done
	return 1
}
cpu_ticks() { local s; s="$(cat "/proc/$1/stat")"; s="${s##*) }"; set -- $s; echo $((${12} + ${13})); }

pid="$(fs_pid)" || { echo "profile.sh: no filesystem process found for $mnt" >&2; exit 1; }
perf_pid=""
case "$mode" in
	stat) perf stat -x, -e cycles,instructions,context-switches,cpu-migrations,page-faults,task-clock \
		-p "$pid" -o "$out.perf.csv" & perf_pid=$! ;;
	record) perf record -q -g -p "$pid" -o "$out.perf.data" 2>"$out.perf.log" & perf_pid=$! ;;
	plain) ;;
	*) echo "profile.sh: mode stat, record or plain" >&2; exit 2 ;;
esac
[ -n "$perf_pid" ] && sleep 0.5  # attached
c0="$(cpu_ticks "$pid")"; t0="$(date +%s.%N)"
timeout -k 10 900 "$drv" "$mnt" "$workload" >"$out.drv.json"
rc=$?
t1="$(date +%s.%N)"; c1="$(cpu_ticks "$pid")"
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid"; fi
echo "$((c1 - c0)) $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(getconf CLK_TCK) $pid" >"$out.cpu"
exit $rc
