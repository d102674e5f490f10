# tests/integration/libvirt_destroy.sh - a guest lost mid-run
# (platform/libvirt/platform_libvirt.c): destroyed from outside while the suite
# runs, its remaining samples fail with an error naming the cause, the run
# can be resumed (a new guest boots and measures); a collector killed with
# SIGKILL leaves its guest, and "virtbench cleanup" removes it and its
# files, while sparing a live run's guest.
. "$(dirname "$0")/libvirt.inc"
S=$T/state
wait_for() { # SECONDS FILE PATTERN PID
	i=0
	until grep -q "$3" "$2" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$4" 2>/dev/null || { cat "$2"; fail "collect ended before '$3'"; }
		[ $i -lt $(($1 * 2)) ] || { cat "$2"; fail "timed out waiting for '$3'"; }
		sleep 0.5
	done
}

"$VIRTBENCH" --db "$DB" collect --platforms qemu --network user --benchmarks cpu,mem --reps 3 \
	--duration 2 --seed 11 --state-dir "$S" >"$T/out" 2>"$T/err" &
pid=$!
# a sample line: "qemu/cpu #1: ...", or "warning: qemu/cpu #1: ..., disturbed"
wait_for 300 "$T/err" "^\(warning: \)\{0,1\}qemu/" $pid
U=$(head -n 1 "$T/out")
u8=$(echo "$U" | cut -c1-8)
dom=virtbench-$u8-qemu
[ -n "$(domains "$u8")" ] || fail "no domain $dom while running"
virsh -c $URI destroy "$dom" >/dev/null
set +e
wait $pid
rc=$?
set -e
echo "collect exited $rc after the guest was destroyed"
nf=$(q "select count(*) from sample where status = 'failed'")
[ "$nf" -ge 1 ] || { cat "$T/err"; fail "no failed samples after the guest was destroyed"; }
q "select error from sample where status = 'failed'" >"$T/errors"
echo "errors of the failed samples:"
sort "$T/errors" | uniq -c
grep -q "guest is .*lost during the run\|guest is gone\|guest is not running" "$T/errors" "$T/err" ||
	{ cat "$T/errors" "$T/err"; fail "the error does not say the guest is gone"; }
[ -z "$(domains "$u8")" ] || fail "domain left after the run ended"

# Resumable: when the collector left the run open (failed samples to
# redo), --resume boots a new guest; otherwise a new run does. Either is
# then killed with SIGKILL while its guest runs.
if grep -q "already complete" "$T/err" 2>/dev/null ||
   [ "$(q "select status from run where uuid = '$U'")" = complete ]; then
	"$VIRTBENCH" --db "$DB" collect --platforms qemu --network user --benchmarks cpu --reps 20 \
		--duration 2 --state-dir "$S" >"$T/out2" 2>"$T/err2" &
else
	"$VIRTBENCH" --db "$DB" collect --resume "$U" >"$T/out2" 2>"$T/err2" &
fi
pid=$!
wait_for 300 "$T/err2" "qemu: guest virtbench-.*-qemu up" $pid
u8=$(sed -n 's/.*qemu: guest virtbench-\([0-9a-f]*\)-qemu up.*/\1/p' "$T/err2")
[ -n "$(domains "$u8")" ] || fail "no guest while the second collector runs"
# A live run's guest survives cleanup.
expect_exit 0 vb cleanup --state-dir "$S"
[ -n "$(domains "$u8")" ] || fail "cleanup removed a live run's guest"
kill -9 $pid
wait $pid 2>/dev/null || true
[ -n "$(domains "$u8")" ] || fail "guest vanished without teardown?"
expect_exit 0 vb cleanup --state-dir "$S"
[ -z "$(domains "$u8")" ] || fail "cleanup left $(domains "$u8")"
left=$(find "$S" \( -name 'overlay.qcow2' -o -name 'seed.iso' -o -name 'id_ed25519' \) 2>/dev/null)
[ -z "$left" ] || fail "cleanup left files: $left"
echo ok
