#!/usr/bin/env bash
# Shared by scripts/vcd-cli-test and scripts/vcd-cli-cluster-test (sourced, not run): vcd-cli 19.2.3 in a
# venv under .build, `cse sim` on a free loopback port, and helpers to run vcd and check its JSON output.
# The caller sets: root, venv, cse, work (a temp dir it removes), sim_args (extra `cse sim` arguments),
# and defines fail() and note().
# shellcheck disable=SC2154 # those variables come from the script that sources this file

# --- vcd-cli in a venv (the pins it needs on Python 3.11) -------------------------------------------------
vcd_cli_installed() {
  [ -x "$venv/bin/vcd" ] && "$venv/bin/python" -c '
import importlib.metadata as m
assert m.version("vcd-cli") == "19.2.3" and m.version("pyvcloud") == "18.2.2"
' 2>/dev/null
}

if ! vcd_cli_installed; then
  note "installing vcd-cli 19.2.3 into $venv (about a minute, once)"
  rm -rf "$venv"  # a partial install or a venv of a python3 that is gone: start over
  python3 -m venv "$venv"
  pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
  "${pip[@]}" 'Cython<3' wheel
  "${pip[@]}" --no-build-isolation 'PyYAML==5.4.1'
  "${pip[@]}" 'pyvcloud==18.2.2' 'flufl.enum==4.1.1' 'PrettyTable>=0.7,<0.8' 'click>=6.7' 'colorama>=0.3.3' \
    'cryptography>=2.0.3' humanfriendly keyring oslo.utils 'python-dateutil>=2.4.2' pytz six \
    'tabulate>=0.7.5' 'xmltodict>=0.9.2' pycryptodome
  "${pip[@]}" --no-deps 'vcd-cli==19.2.3'
  vcd_cli_installed || fail "vcd-cli 19.2.3 did not install into $venv"
fi

# --- the simulator on a free loopback port ------------------------------------------------------------------
mkdir -p "$work/home"
# Port 0: the simulator picks a free port and prints its URL. vCD 10.4: vcd-cli 19.2.3 (pyvcloud 18.2.2) takes the
# server's highest non-deprecated version (37.0) and logs in only with the legacy POST /api/sessions, which 10.4
# still serves at 37.0 (gone from 38.0 on; see Sources/VCDSim/SimReleaseProfile.swift).
# The log exists before the first read below (the background job may not have opened it yet).
: >"$work/sim.log"
"$cse" sim --listen 127.0.0.1:0 --vcd-version 10.4 --state "$work/sim-state.json" "${sim_args[@]}" >"$work/sim.log" 2>&1 &
sim_pid=$!
base=
for _ in $(seq 1 300); do
  kill -0 "$sim_pid" 2>/dev/null || fail "cse sim exited: $(cat "$work/sim.log")"
  base=$(sed -n 's|^cse sim: vCloud API at \(http://127\.0\.0\.1:[0-9]*\)/api .*|\1|p' "$work/sim.log")
  if [ -n "$base" ] && curl -fsS -o /dev/null "$base/api/versions" 2>/dev/null; then break; fi
  base=
  sleep 0.1
done
[ -n "$base" ] || fail "cse sim did not answer /api/versions within 30 s: $(cat "$work/sim.log")"
note "cse sim at $base (pid $sim_pid)"

# --- vcd-cli helpers ------------------------------------------------------------------------------------------
# vcd-cli keeps its profile in ~/.vcd-cli and writes vcd.log into the working directory: both go to $work.
vcd() { (cd "$work" && HOME="$work/home" "$venv/bin/vcd" --no-colorized "$@"); }

# run WHAT ARGS...: runs `vcd -j ARGS`; fails with vcd's output unless it exits 0. Its stdout is left in $out.
out=
run() {
  local what=$1
  shift
  if ! out=$(vcd -j "$@" 2>"$work/stderr"); then
    fail "$what: vcd exited non-zero: $out $(cat "$work/stderr")"
  fi
}

# login USER ORG PASSWORD (the simulator's own fake passwords; not echoed).
login() {
  if ! vcd login "$base" "$2" "$1" -p "$3" >"$work/login.out" 2>&1; then
    fail "vcd login as $1@$2 failed: $(cat "$work/login.out")"
  fi
  note "logged in as $1@$2"
}

# expect WHAT KEY NAME...: the KEY values of the JSON list in $out are exactly NAME... (any order; none for
# an empty list or vcd's 'not found').
expect() {
  local what=$1 key=$2 got want
  shift 2
  if ! got=$("$venv/bin/python" -c '
import json, sys
data = json.loads(sys.argv[2])
if isinstance(data, dict) and data.get("message") == "not found":
    data = []
if not isinstance(data, list):
    sys.exit("not a JSON list: %r" % (data,))
print("\n".join(sorted(str(row.get(sys.argv[1])) for row in data)))
' "$key" "$out" 2>&1); then
    fail "$what: cannot read vcd's output ($got): $out"
  fi
  want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort)
  got=$(printf '%s\n' "$got" | sed '/^$/d' | LC_ALL=C sort)
  [ "$got" = "$want" ] || fail "$what: expected [${want//$'\n'/, }], vcd shows [${got//$'\n'/, }]"
  note "ok: $what: [${got//$'\n'/, }]"
}

