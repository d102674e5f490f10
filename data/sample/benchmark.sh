#!/bin/sh
# data/sample/benchmark.sh - the classic measurement script, as students
# write it by hand: runs the six classic benchmarks once and prints one CSV
# line "time,cpu,mem,diskRand,diskSeq,fork,uplink" on stdout (progress on
# stderr). virtbench's shipped sample data (data/sample/*.csv) was measured
# with it; see data/sample/README.md for the exact invocations.
#
# usage: benchmark.sh [SECONDS] [FORKBENCH] [IPERF_HOST] [IPERF_PORT]
set -eu
runtime=${1:-60}
forkbench=${2:-./forkbench}
iperf_host=${3:-127.0.0.1}
iperf_port=${4:-5201}
time=$(date +%s)

echo "cpu..." >&2
cpu=$(sysbench --time="$runtime" cpu run | awk '/events per second/ {print $NF}')
echo "mem..." >&2
mem=$(sysbench --time="$runtime" --memory-block-size=4K --memory-total-size=100T memory run |
	sed -n 's/.*(\([0-9.]*\) MiB\/sec).*/\1/p')
echo "disk..." >&2
sysbench fileio --file-num=1 --file-total-size=1G prepare >/dev/null
diskRand=$(sysbench --time="$runtime" fileio --file-num=1 --file-total-size=1G \
	--file-test-mode=rndrd --file-extra-flags=direct run | awk '/read, MiB\/s:/ {print $NF}')
diskSeq=$(sysbench --time="$runtime" fileio --file-num=1 --file-total-size=1G \
	--file-test-mode=seqrd --file-extra-flags=direct run | awk '/read, MiB\/s:/ {print $NF}')
sysbench fileio --file-num=1 --file-total-size=1G cleanup >/dev/null
echo "fork..." >&2
fork=$("$forkbench" "$runtime" | awk '/^forks_per_second/ {print $2}')
echo "uplink..." >&2
uplink=$(iperf3 -c "$iperf_host" -p "$iperf_port" -t "$runtime" -P 5 -f m |
	awk '/SUM.*sender/ {print $6}')
echo "$time,$cpu,$mem,$diskRand,$diskSeq,$fork,$uplink"
