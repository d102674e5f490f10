#!/bin/sh
# scripts/demo.sh - "make demo": the main job end to end on this machine.
#
#  1. installs what is missing (scripts/install-deps.sh demo);
#  2. builds virtbench;
#  3. starts virtlogd, libvirtd and dockerd if they are not running;
#  4. builds the guest and container images if they are not cached;
#  5. runs `virtbench run` with the quick profile on native, docker, qemu,
#     and kvm where `virtbench doctor` says it can run here (the report says
#     why an absent platform is absent);
#  6. runs studies/demo.study (guest disk cache writeback vs none under
#     TCG, docker volume vs overlay; two write benchmarks of the disk
#     suite, 2-second runs) into out/study, with its Mechanisms section;
#  7. prints the paths of out/report/report.md (and report.html) and
#     out/study/report.md.
#
# Environment: DEMO_PLATFORMS to choose platforms yourself, DEMO_REPS,
# DEMO_INSTANCES (2: each docker and guest platform measured on two
# independent instances, so its intervals cover more than one boot),
# DEMO_DURATION, DEMO_STUDY=0 to skip step 6, VIRTBENCH_DB (default
# ./demo.db).
set -eu
cd "$(dirname "$0")/.."
say() { printf '\n== %s\n' "$*" >&2; }
start=$(date +%s)

say "installing missing packages"
if [ "$(id -u)" -eq 0 ]; then
	scripts/install-deps.sh demo
else
	scripts/install-deps.sh demo || {
		echo "demo: run 'sudo make demo' (or install the packages above)" >&2
		exit 1
	}
fi

say "building"
make -s -j"$(nproc)"

db=${VIRTBENCH_DB:-demo.db}
vb() { ./virtbench --db "$db" "$@"; }

platforms=native
if [ "$(id -u)" -eq 0 ]; then
	say "starting daemons (logs in /var/log/virtbench-*.log)"
	scripts/start-daemons.sh libvirt docker || echo "demo: some daemons did not start; doctor will say which platforms are out" >&2
fi

doctor() { ./virtbench doctor --docker-network host --network user; }
if [ -n "${DEMO_PLATFORMS:-}" ]; then
	platforms=$DEMO_PLATFORMS
else
	say "checking platforms (virtbench doctor)"
	doctor >"$db.doctor" 2>&1 || true
	cat "$db.doctor" >&2
	# Images are built once and cached; doctor says when one is missing.
	if grep -q '^docker .*virtbench image docker' "$db.doctor"; then
		say "building the container image (once)"
		./virtbench image docker || true
	fi
	if ! ./virtbench image path >/dev/null 2>&1; then
		say "building the guest image (once, a few minutes)"
		./virtbench image build || true
	fi
	doctor >"$db.doctor" 2>&1 || true
	grep -q '^docker  *ok' "$db.doctor" && platforms="$platforms,docker"
	grep -q '^qemu  *ok' "$db.doctor" && platforms="$platforms,qemu"
	# kvm is always attempted: where it cannot run, the collector finds
	# out quickly, records why, and the report says so.
	platforms="$platforms,kvm"
	rm -f "$db.doctor"
fi

say "running the quick suite on $platforms"
rm -rf out/report/report.md out/report/report.html out/report/figures
vb run --platforms "$platforms" --profile quick --reps "${DEMO_REPS:-5}" \
	--instances "${DEMO_INSTANCES:-2}" \
	${DEMO_DURATION:+--duration "$DEMO_DURATION"} \
	--network user --docker-network host --out out/report

if [ "${DEMO_STUDY:-1}" != 0 ]; then
	say "running the study studies/demo.study (disk cache and docker storage)"
	rm -rf out/study
	vb run --study studies/demo.study --benchmarks diskRandWrite,diskSeqWrite \
		--reps 2 --duration 2 --network user --docker-network host \
		--out out/study >/dev/null
fi

say "done in $(( $(date +%s) - start )) s"
echo "report: $(pwd)/out/report/report.md and $(pwd)/out/report/report.html"
[ "${DEMO_STUDY:-1}" = 0 ] || echo "study: $(pwd)/out/study/report.md"
