# Sourced by the recorders of one capture each (record-foreign.sh, record-errors.sh): a network
# namespace of its own with loopback up, and tcpdump recording on its lo.
#   netns_capture_start SCRIPT NAMESPACE FILE FILTER   sets $ns and $work (a temporary folder,
#                                                      where FILE is written; removed on exit)
#   netns_capture_stop                                 after the last packet: stops tcpdump
netns_capture_start() {
  local script=$1 file=$3 filter=$4
  [ "$(id -u)" = 0 ] || { echo "$script: run as root (network namespace, tcpdump)" >&2; exit 1; }
  ns=$2
  work=$(mktemp -d)
  trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"' EXIT
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" tcpdump -i lo --immediate-mode -U -w "$work/$file" "$filter" 2> "$work/tcpdump.log" &
  for _ in $(seq 50); do grep -q "listening on" "$work/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
}

netns_capture_stop() {
  sleep 1.5  # let the capture buffer hand over the last packets
  ip netns pids "$ns" | xargs -r kill -INT 2>/dev/null || true
  sleep 0.5
}
