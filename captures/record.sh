#!/usr/bin/env bash
# Regenerates every sample capture in this folder (see README.md). Run as root.
#
# Everything is recorded with tcpdump on the real kernel network stack, inside network
# namespaces this script creates and removes again (vt106lo, vt106a, vt106r, vt106b): the
# host's own interfaces, addresses and ports are never touched. Only the damaged-* files are
# edited copies of real captures (make_damaged.py).
#
# Needs: bash, python3 (standard library), tcpdump, iproute2 (ip), nftables (nft) for
# retransmit.pcap, wireshark-common (mergecap, capinfos) for the pcapng files; without
# mergecap the pcapng files are merged by pcapcheck.py instead.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
PY=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1

[ "$(id -u)" = 0 ] || { echo "record.sh: run as root (network namespaces, tcpdump)" >&2; exit 1; }
for tool in tcpdump "$PY" ip; do
    command -v "$tool" >/dev/null || { echo "record.sh: missing $tool" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/vt106-captures.XXXXXX)
NAMESPACES=()
CAP_PIDS=()
BG_PIDS=()

cleanup() {
    local p n
    for p in "${CAP_PIDS[@]}" "${BG_PIDS[@]}"; do
        kill -INT "$p" 2>/dev/null || true
    done
    for n in "${NAMESPACES[@]}"; do
        ip netns del "$n" 2>/dev/null || true
    done
    [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*"; }

mkns() {   # create a fresh namespace with loopback up
    if ip netns list | awk '{print $1}' | grep -qx "$1"; then
        echo "record.sh: namespace $1 already exists (leftover? remove with: ip netns del $1)" >&2
        exit 1
    fi
    ip netns add "$1"
    NAMESPACES+=("$1")
    ip -n "$1" link set lo up
}

delns() {
    ip netns del "$1"
    local keep=() n
    for n in "${NAMESPACES[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
    NAMESPACES=("${keep[@]}")
}

CAP_PID=
start_cap() {   # start_cap NAMESPACE OUTFILE tcpdump-args...   (sets CAP_PID)
    local ns=$1 out=$2 i
    shift 2
    ip netns exec "$ns" tcpdump -n -U --immediate-mode -w "$out" "$@" 2>"$out.log" &
    CAP_PID=$!
    CAP_PIDS+=("$CAP_PID")
    for i in $(seq 100); do
        grep -q "listening on" "$out.log" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$out.log" >&2
    exit 1
}

stop_cap() {    # stop_cap PID...
    local p keep=() q
    sleep 0.3   # let the last FIN/ACK reach the capture
    for p in "$@"; do
        kill -INT "$p"
        wait "$p" || true
        keep=()
        for q in "${CAP_PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
        CAP_PIDS=("${keep[@]}")
    done
}

check() {       # check FILE EXPECTED [--plan PLAN]
    "$PY" pcapcheck.py "$@"
}

# Record one loopback scenario; retried (max 3 times) if the kernel did not cut the
# segments as planned (timing on a very busy machine).
record_lo() {   # record_lo SCENARIO FILE IFACE-ARGS... -- FILTER
    local sc=$1 file=$2 try
    shift 2
    for try in 1 2 3; do
        rm -f "$TMP/$file" "$TMP/$sc.expected.tsv" "$TMP/$sc.plan.json"
        start_cap vt106lo "$TMP/$file" "$@"
        local pid=$CAP_PID
        ip netns exec vt106lo "$PY" record_clients.py run "$sc" \
            --expected "$TMP/$sc.expected.tsv" --plan "$TMP/$sc.plan.json"
        stop_cap "$pid"
        if check "$TMP/$file" "$TMP/$sc.expected.tsv" --plan "$TMP/$sc.plan.json"; then
            return 0
        fi
        log "$sc: capture did not match the plan, recording again (attempt $try)"
    done
    echo "record.sh: $sc failed 3 times" >&2
    exit 1
}

# ----------------------------------------------------------------------------- loopback
mkns vt106lo
FILTER="port 8888 or port 5050"

log "tcp-ipv4.pcap: 3 devices, TCP, 127.0.0.1:8888, captured on lo (Ethernet link type)"
record_lo tcp-ipv4 tcp-ipv4.pcap -i lo "tcp and ($FILTER)"

log "tcp-ipv6.pcap: 2 devices, TCP, [::1]:5050"
record_lo tcp-ipv6 tcp-ipv6.pcap -i lo "tcp and ($FILTER)"

log "udp.pcap: 2 devices, UDP, 127.0.0.1:8888"
record_lo udp udp.pcap -i lo "udp and ($FILTER)"

log "cooked-any.pcap (Linux cooked v1) and cooked-any-sll2.pcap (v2), recorded together on -i any"
for try in 1 2 3; do
    start_cap vt106lo "$TMP/cooked-any.pcap" -i any -y LINUX_SLL "$FILTER"
    p1=$CAP_PID
    start_cap vt106lo "$TMP/cooked-any-sll2.pcap" -i any -y LINUX_SLL2 "$FILTER"
    p2=$CAP_PID
    ip netns exec vt106lo "$PY" record_clients.py run cooked-any \
        --expected "$TMP/cooked-any.expected.tsv" --plan "$TMP/cooked-any.plan.json"
    stop_cap "$p1" "$p2"
    if check "$TMP/cooked-any.pcap" "$TMP/cooked-any.expected.tsv" --plan "$TMP/cooked-any.plan.json" &&
       check "$TMP/cooked-any-sll2.pcap" "$TMP/cooked-any.expected.tsv" --plan "$TMP/cooked-any.plan.json"; then
        break
    fi
    [ "$try" = 3 ] && { echo "record.sh: cooked-any failed 3 times" >&2; exit 1; }
done
cp "$TMP/cooked-any.expected.tsv" "$TMP/cooked-any-sll2.expected.tsv"

log "mixed.pcapng / mixed-linktypes.pcapng: TCP+UDP, IPv4+IPv6"
# Three tcpdumps record the same run: lo filtered to IPv4, lo filtered to IPv6 (both
# Ethernet link type) and -i any (Linux cooked v1) filtered to IPv6. tcpdump 4.99 only
# writes pcap, so the pcap files are merged into pcapng afterwards:
#   mixed.pcapng           = lo/IPv4 + lo/IPv6   (2 interfaces, both EN10MB)
#   mixed-linktypes.pcapng = lo/IPv4 + any/IPv6  (2 interfaces, EN10MB and LINUX_SLL)
for try in 1 2 3; do
    start_cap vt106lo "$TMP/mixed-lo4.pcap" -i lo "ip and ($FILTER)"
    p1=$CAP_PID
    start_cap vt106lo "$TMP/mixed-lo6.pcap" -i lo "ip6 and ($FILTER)"
    p2=$CAP_PID
    start_cap vt106lo "$TMP/mixed-any6.pcap" -i any -y LINUX_SLL "ip6 and ($FILTER)"
    p3=$CAP_PID
    ip netns exec vt106lo "$PY" record_clients.py run mixed \
        --expected "$TMP/mixed.expected.tsv" --plan "$TMP/mixed.plan.json"
    stop_cap "$p1" "$p2" "$p3"
    rm -f "$TMP/mixed.pcapng" "$TMP/mixed-linktypes.pcapng"
    if command -v mergecap >/dev/null; then
        mergecap -F pcapng -w "$TMP/mixed.pcapng" "$TMP/mixed-lo4.pcap" "$TMP/mixed-lo6.pcap"
        mergecap -F pcapng -w "$TMP/mixed-linktypes.pcapng" "$TMP/mixed-lo4.pcap" "$TMP/mixed-any6.pcap"
    else
        "$PY" pcapcheck.py --merge "$TMP/mixed.pcapng" "$TMP/mixed-lo4.pcap" "$TMP/mixed-lo6.pcap"
        "$PY" pcapcheck.py --merge "$TMP/mixed-linktypes.pcapng" "$TMP/mixed-lo4.pcap" "$TMP/mixed-any6.pcap"
    fi
    if check "$TMP/mixed.pcapng" "$TMP/mixed.expected.tsv" --plan "$TMP/mixed.plan.json" &&
       check "$TMP/mixed-linktypes.pcapng" "$TMP/mixed.expected.tsv" --plan "$TMP/mixed.plan.json"; then
        break
    fi
    [ "$try" = 3 ] && { echo "record.sh: mixed failed 3 times" >&2; exit 1; }
done
cp "$TMP/mixed.expected.tsv" "$TMP/mixed-linktypes.expected.tsv"
delns vt106lo

# ----------------------------------------------------------------------------- retransmit
# device (vt106a, 10.200.0.1) --veth-- bridge (vt106r) --veth-- server (vt106b, 10.200.0.2)
# netem is tried first; without it, nftables drops chosen segments:
#   on the bridge (before the capture point): the capture shows later data first, then the
#     retransmission (out of order); a segment dropped every time leaves a real gap;
#   on the server's input (after the capture point): the capture shows the segment twice.
# tcpdump records on the server's veth (b0).
log "retransmit.pcap: TCP through a bridge namespace with dropped segments"
command -v nft >/dev/null || { echo "record.sh: nft (nftables) is needed for retransmit.pcap" >&2; exit 1; }
mkns vt106a; mkns vt106r; mkns vt106b
ip -n vt106a link add a0 type veth peer name ra netns vt106r
ip -n vt106b link add b0 type veth peer name rb netns vt106r
ip -n vt106r link add br0 type bridge
ip -n vt106r link set ra master br0
ip -n vt106r link set rb master br0
for l in ra rb br0; do ip -n vt106r link set "$l" up; done
ip -n vt106a addr add 10.200.0.1/24 dev a0
ip -n vt106b addr add 10.200.0.2/24 dev b0
ip -n vt106a link set a0 up
ip -n vt106b link set b0 up
if ip netns exec vt106r tc qdisc add dev rb root netem loss 20% 2>/dev/null; then
    NETEM=yes   # not used for the recording (nftables drops are deterministic); noted only
    ip netns exec vt106r tc qdisc del dev rb root
else
    NETEM=no
fi
log "netem available in this kernel: $NETEM"
"$PY" record_clients.py nft retransmit vt106r | ip netns exec vt106r nft -f -
"$PY" record_clients.py nft retransmit vt106b | ip netns exec vt106b nft -f -
start_cap vt106b "$TMP/retransmit.pcap" -i b0 "tcp port 8888"
pcap_pid=$CAP_PID
ip netns exec vt106b "$PY" record_clients.py server retransmit --received "$TMP/rx.json" &
srv=$!
BG_PIDS+=("$srv")
ip netns exec vt106a "$PY" record_clients.py clients retransmit \
    --expected "$TMP/retransmit.expected.tsv" --sent "$TMP/tx.json"
wait "$srv"
BG_PIDS=()
stop_cap "$pcap_pid"
ip netns exec vt106r nft list ruleset | grep -o 'counter packets [0-9]* bytes [0-9]* drop' | sed 's/^/   bridge: /'
ip netns exec vt106b nft list ruleset | grep -o 'counter packets [0-9]* bytes [0-9]* drop' | sed 's/^/   server input: /'
"$PY" record_clients.py delivery "$TMP/tx.json" "$TMP/rx.json"
check "$TMP/retransmit.pcap" "$TMP/retransmit.expected.tsv"
"$PY" pcapcheck.py "$TMP/retransmit.pcap" --tcp-stats | tee "$TMP/stats.txt"
grep -q 'retransmitted=[1-9]' "$TMP/stats.txt" && grep -q 'out_of_order=[1-9]' "$TMP/stats.txt" &&
    grep -q 'gaps=[1-9]' "$TMP/stats.txt" ||
    { echo "record.sh: retransmit.pcap lacks a retransmission, a reordering or a gap" >&2; exit 1; }
delns vt106a; delns vt106r; delns vt106b

# ----------------------------------------------------------------------------- damaged
log "damaged-*: edited copies of tcp-ipv4.pcap and mixed.pcapng"
"$PY" make_damaged.py "$TMP" "$TMP"

# ----------------------------------------------------------------------------- install
rm -f -- *.pcap *.pcapng *.expected.tsv
for f in tcp-ipv4 tcp-ipv6 udp cooked-any cooked-any-sll2 retransmit; do
    cp "$TMP/$f.pcap" "$TMP/$f.expected.tsv" .
done
for f in mixed mixed-linktypes; do
    cp "$TMP/$f.pcapng" "$TMP/$f.expected.tsv" .
done
cp "$TMP"/damaged-* .

log "reading every capture back with tcpdump -r"
for f in tcp-ipv4.pcap tcp-ipv6.pcap udp.pcap cooked-any.pcap cooked-any-sll2.pcap \
         retransmit.pcap mixed.pcapng; do
    n=$(tcpdump -n -r "$f" 2>/dev/null | wc -l)
    printf '   %-24s %3d packets, %6d bytes\n' "$f" "$n" "$(stat -c %s "$f")"
done
if command -v capinfos >/dev/null; then
    capinfos -T -m -E -c -I mixed-linktypes.pcapng 2>/dev/null | sed 's/^/   /' || true
fi
ls -l damaged-* | awk '{printf "   %-44s %6d bytes\n", $9, $5}'
log "done"
