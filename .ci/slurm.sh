#!/usr/bin/env bash
# A single-node Slurm on this machine, for the Slurm executor's integration test.
#   .ci/slurm.sh start   # installs slurm-wlm and munge (Debian) if missing, starts munged,
#                        # slurmctld and slurmd as root with a minimal slurm.conf
#   .ci/slurm.sh stop    # stops the daemons it started (by the pids it recorded), no others
# Needs root. State lives in $LADDER_SLURM_STATE (default /tmp/ladder-slurm).
set -euo pipefail
state=${LADDER_SLURM_STATE:-/tmp/ladder-slurm}
conf=/etc/slurm/slurm.conf

# Records "name pid" of a daemon this script started, read from its pid file.
record() {
  local name=$1 pidfile=$2
  for _ in $(seq 1 20); do
    if [ -s "$pidfile" ]; then
      echo "$name $(cat "$pidfile")" >> "$state/started"
      return 0
    fi
    sleep 0.25
  done
  echo "warning: $name wrote no pid file $pidfile; it will not be stopped by '$0 stop'" >&2
}

stop() {
  [ -f "$state/started" ] || return 0
  while read -r name pid; do
    # Only a live process that still has the recorded name (a pid may be reused).
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do
        [ -d "/proc/$pid" ] || break
        sleep 0.25
      done
    fi
  done < "$state/started"
  rm -f "$state/started"
}

start() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    if ! apt-cache policy slurm-wlm 2>/dev/null | grep -q "Candidate: [0-9]"; then apt-get update -qq; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  stop
  rm -rf "$state"
  mkdir -p "$state"/{spool,slurmd,log} /etc/munge /var/run/munge /var/log/munge /var/lib/munge /etc/slurm
  # munge: a fresh key, owned by the daemon's user.
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  chown -R munge:munge /etc/munge /var/run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 700 /etc/munge && chmod 400 /etc/munge/munge.key
  rm -f /run/munge/munged.pid
  if id munge >/dev/null 2>&1; then
    su -s /bin/sh munge -c "munged --force" 2>/dev/null || munged --force
  else
    munged --force
  fi
  record munged /run/munge/munged.pid
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  cat > "$conf" <<CONF
ClusterName=ladder
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/spool
SlurmdSpoolDir=$state/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
MaxArraySize=1000
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  slurmctld
  record slurmctld "$state/slurmctld.pid"
  slurmd
  record slurmd "$state/slurmd.pid"
  for _ in $(seq 1 30); do
    if sinfo -h -o "%T" 2>/dev/null | grep -qE "idle|mixed|allocated"; then
      sinfo
      return 0
    fi
    sleep 1
  done
  echo "slurm did not come up; logs in $state/log" >&2
  tail -20 "$state"/log/*.log >&2 || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
