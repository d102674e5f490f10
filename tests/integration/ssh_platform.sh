# tests/integration/ssh_platform.sh - the ssh platform
# (platform/ssh/platform_ssh.c, platform/ssh/ssh.c) against a private sshd on
# 127.0.0.1 with its own host key: samples over libssh exec channels, the
# fork benchmark copied with SFTP, the remote work directory removed; then
# strict host key checking: a known_hosts entry with the wrong key, and no
# entry at all, are both refused before authenticating (no TOFU).
. "$(dirname "$0")/../lib.sh"
for t in sysbench python3 sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
q() { sqlite3 "$DB" "$1"; }
start_sshd
port=$sshd_port
ssh-keygen -q -t ed25519 -N '' -C vbtest-other -f "$T/otherkey"
target=root@127.0.0.1:$port
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$T/otherkey.pub")" >"$T/wrong_hosts"
: >"$T/empty_hosts"
export VIRTBENCH_SSH_IDENTITY="$T/id"
before=$(ls -d /var/tmp/virtbench.* 2>/dev/null | wc -l)

# The right key: samples over exec channels, forkbench over SFTP.
VIRTBENCH_KNOWN_HOSTS=$T/known_hosts expect_exit 0 vb collect \
	--platforms "ssh:$target" --profile quick --benchmarks cpu,fork \
	--reps 1 --duration 1 --seed 3
[ "$(q "select state from run_platform")" = ok ] ||
	fail "platform state: $(q "select state || ': ' || reason from run_platform")"
n=$(q "select count(*) from sample where value > 0 and status in ('ok', 'warmup')")
[ "$n" = 4 ] || { q "select status, error from sample"; fail "$n good samples, want 4"; }
cfgv=$(q "select json_extract(config, '\$.kind') || ' ' || json_extract(config, '\$.target') from run_platform")
[ "$cfgv" = "ssh $target" ] || fail "recorded config: $cfgv"
grep -q "Accepted publickey for root" "$T/sshd.log" || fail "sshd saw no key login"
after=$(ls -d /var/tmp/virtbench.* 2>/dev/null | wc -l)
[ "$after" = "$before" ] || fail "remote work directory left in /var/tmp"

# A wrong host key: refused before authentication.
accepted=$(grep -c "Accepted publickey" "$T/sshd.log")
VIRTBENCH_KNOWN_HOSTS=$T/wrong_hosts expect_exit 1 vb collect \
	--platforms "ssh:$target" --benchmarks cpu --reps 1 --duration 1
grep -q "ssh:$target: unavailable: connection refused: host key of $target changed" "$T/err" ||
	{ cat "$T/err"; fail "wrong host key not refused clearly"; }
# An unknown host: refused too, never learned.
VIRTBENCH_KNOWN_HOSTS=$T/empty_hosts expect_exit 1 vb collect \
	--platforms "ssh:$target" --benchmarks cpu --reps 1 --duration 1
grep -q "connection refused: host $target is not in $T/empty_hosts" "$T/err" ||
	{ cat "$T/err"; fail "unknown host not refused clearly"; }
[ ! -s "$T/empty_hosts" ] || fail "known_hosts was written to"
[ "$(grep -c "Accepted publickey" "$T/sshd.log")" = "$accepted" ] ||
	fail "authenticated although the host key was refused"
echo ok
