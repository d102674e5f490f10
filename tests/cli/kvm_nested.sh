# tests/cli/kvm_nested.sh - the report's KVM answers on real kvm data: the
# export of a real `make test-kvm` run (tests/fixtures/kvm/nested.json:
# native, kvm and qemu measured inside the nested KVM test host, whose
# own CPU is TCG's; kept by tests/kvm/run.sh in build/test-logs). Checks
# that analyze marks the kvm group (and qemu's, TCG inside TCG) nested on
# an emulated host and native not; that the accelerator recorded for each
# guest is the one measured inside it; and that the report explains kvm
# by its accelerator while saying, in the answer and after the verdict,
# that these are not KVM's numbers on hardware.
. "$(dirname "$0")/../lib.sh"
PY=$(command -v python3) || skip "python3 is not installed"
FIX=$top/tests/fixtures/kvm/nested.json

expect_exit 0 vb import json "$FIX"
expect_exit 0 vb analyze --format json
"$PY" - "$T/out" <<'PYEOF' || fail "analyze on the nested run"
import json, sys
a = json.load(open(sys.argv[1]))
g = {(x["platform"], x["benchmark"]): x for x in a["results"]}
kvm = g[("kvm", "cpu")]
nat = g[("native", "cpu")]
assert kvm["n"] >= 1, kvm
n = kvm.get("nested")
assert n and n["emulated_host"] is True, n
assert n["host_hypervisor"] == "TCG" and n["host_dmi_vendor"] == "QEMU", n
assert any(w.startswith("nested: the KVM guest ran inside a host that is "
                        "itself a virtual machine") for w in kvm["warnings"]), kvm["warnings"]
assert "nested" not in nat, nat
assert not any(w.startswith("nested") for w in nat["warnings"]), nat["warnings"]
q = g.get(("qemu", "cpu"))
if q is not None:
    assert q["nested"]["emulated_host"] is True, q
    assert any("TCG ran inside TCG" in w for w in q["warnings"]), q["warnings"]
PYEOF

# What each guest's kernel reported, as recorded (not the domain type).
acc() {
	sqlite3 "$DB" "SELECT json_extract(rp.config, '\$.$1') FROM run_platform rp
	  JOIN platform p ON p.id = rp.platform_id WHERE p.name = '$2'"
}
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
[ "$(acc accelerator kvm)" = kvm ] || fail "kvm's accelerator: $(acc accelerator kvm)"
case "$(acc accelerator_evidence kvm)" in
*"kernel detected hypervisor: KVM"*"kvm-clock"*) ;;
*) fail "kvm's evidence: $(acc accelerator_evidence kvm)" ;;
esac
case "$(acc domain_xml kvm)" in "<domain type='kvm'"*) ;; *) fail "kvm's domain type" ;; esac

expect_exit 0 vb report --out "$T/r"
R=$T/r/report.md
grep -q 'accelerator is `kvm`' "$R" || fail "kvm not explained by its accelerator"
grep -q '\*\*Nested:\*\* The KVM guest ran inside a host that is itself a virtual machine (DMI vendor QEMU, hypervisor TCG), so KVM ran on an emulated CPU' "$R" ||
	fail "the kvm answer does not say it ran nested"
grep -q '\*\*kvm\*\* [a-z]*, .*(nested in an emulated host: not its speed on hardware)' "$R" ||
	fail "the kvm verdict does not say it ran nested"
grep -q '^- ⚠️ \*\*all benchmarks\*\*: \*\*kvm\*\* ran nested: the KVM guest' "$R" ||
	fail "no problem says kvm ran nested"
grep -q 'the gap measures the nesting, not hardware virtualization' "$R" ||
	fail "the mechanism does not say the gap is the nesting's"
grep -q 'within a few percent of native' "$R" &&
	fail "the nested kvm answer claims KVM's hardware speed"
grep -q '\*\*native\*\*.*nested' "$R" && fail "native called nested"
exit 0
