# tests/lib.sh - helpers sourced by the shell tests (not a test itself).
# Each test gets a fresh temporary directory $T, removed on exit, and
# $VB = the binary under test with --db $T/vb.db.
set -eu
: "${top:=$(cd "$(dirname "$0")/../.." && pwd)}"  # tests/<kind>/x.sh
: "${VIRTBENCH:=$top/virtbench}"
T=$(mktemp -d "${TMPDIR:-/tmp}/vbtest.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/vb.db
vb() { "$VIRTBENCH" --db "$DB" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_exit CODE CMD...: runs CMD, stores stdout/stderr in $T/out $T/err
expect_exit() {
	want=$1; shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $got, expected $want"; }
}
# expect_err TEXT: the last command's stderr contains exactly TEXT on a line
expect_err_line() {
	grep -Fxq -- "$1" "$T/err" || { echo "stderr was:" >&2; cat "$T/err" >&2; fail "expected stderr line: $1"; }
}
expect_out_has() {
	grep -Fq -- "$1" "$T/out" || { echo "stdout was:" >&2; cat "$T/out" >&2; fail "expected in stdout: $1"; }
}
# free_port: a TCP port on 127.0.0.1 that was free a moment ago
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_sshd [CONFIG LINE...]: a private sshd on 127.0.0.1:$sshd_port with
# its own host key, where root logs in with the key $T/id only; its key is
# in $T/known_hosts, its log in $T/sshd.log; stopped (by PID) on exit.
start_sshd() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a private sshd"
	[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed"
	command -v ssh-keygen >/dev/null || skip "ssh-keygen is not installed"
	sshd_port=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -C vbtest-host -f "$T/hostkey"
	ssh-keygen -q -t ed25519 -N '' -C vbtest-client -f "$T/id"
	cp "$T/id.pub" "$T/authorized_keys"
	mkdir -p /run/sshd # privilege separation directory sshd insists on
	{
		echo "Port $sshd_port"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $T/hostkey"
		echo "PidFile $T/sshd.pid"
		echo "AuthorizedKeysFile $T/authorized_keys"
		echo "PermitRootLogin prohibit-password"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "Subsystem sftp internal-sftp"
		for l in "$@"; do echo "$l"; done
	} >"$T/sshd_config"
	/usr/sbin/sshd -f "$T/sshd_config" -D -e -E "$T/sshd.log" &
	sshd_pid=$!
	trap 'kill "$sshd_pid" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $sshd_port), 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { cat "$T/sshd.log"; fail "sshd did not listen on $sshd_port"; }
		sleep 0.1
	done
	echo "[127.0.0.1]:$sshd_port $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
}
