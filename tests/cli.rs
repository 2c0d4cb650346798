//! The `ftkv` binary as a user meets it: runs, logs, grades, exit codes and
//! one-line errors for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ftkv(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftkv"))
        .args(args)
        .output()
        .expect("the ftkv binary runs")
}

fn testcase(name: &str) -> String {
    format!("{}/testcases/{name}.conf", env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ftkv-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_log(conf: &str, seed: &str, dir: &Path) -> String {
    let log = dir.join(format!("dbg-{seed}.log"));
    let out = ftkv(&["run", conf, "--seed", seed, "--log", log.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(log).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that `command` followed by each case's arguments exits 2 with a
/// one-line error containing the case's message.
fn refuses(command: &[&str], cases: &[(&[&str], &str)]) {
    for (args, want) in cases {
        let mut all = command.to_vec();
        all.extend_from_slice(args);
        let out = ftkv(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim_end().lines().count(), 1);
    }
}

/// `ftkv torture` on one seed of the fault-free profile.
const ONE_QUIET_RUN: &[&str] = &["torture", "--seeds", "1", "--profile", "none"];

/// The string field `field` of every object in `list`.
fn strings<'a>(list: &'a [serde_json::Value], field: &str) -> Vec<&'a str> {
    list.iter().map(|v| v[field].as_str().unwrap()).collect()
}

/// Runs `ftkv args`, which must succeed, and returns what it prints.
fn text_of(args: &[&str]) -> String {
    let out = ftkv(args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    text
}

/// Runs `ftkv args`, which must succeed, and parses what it prints.
fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&text_of(args)).unwrap()
}

#[test]
fn run_writes_a_reproducible_classic_log() {
    let dir = scratch("repro");
    let a = run_log(&testcase("update"), "11", &dir);
    let b = run_log(&testcase("update"), "11", &dir);
    let c = run_log(&testcase("update"), "12", &dir);
    assert_eq!(a, b, "the same seed gives a byte-identical dbg.log");
    assert_ne!(a, c);
    assert!(a.starts_with("131\n "));
    assert!(!a.ends_with('\n'));
    assert_eq!(a.matches("CREATE OPERATION").count(), 100);
    assert_eq!(a.matches("UPDATE OPERATION").count(), 6);
    for line in a.lines().skip(1) {
        let mut parts = line.splitn(4, ' ');
        assert_eq!(
            parts.next(),
            Some(""),
            "each entry starts with a space: {line}"
        );
        assert!(parts.next().unwrap().ends_with(":0"), "{line}");
        let tick = parts.next().unwrap();
        assert!(tick.starts_with('[') && tick.ends_with(']'), "{line}");
    }
}

#[test]
fn run_without_a_seed_prints_one_that_reproduces_the_run() {
    let dir = scratch("noseed");
    let log = dir.join("dbg.log");
    let out = ftkv(&[
        "run",
        &testcase("singlefailure"),
        "--log",
        log.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seed = stdout
        .split("--seed ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("the seed is printed");
    let first = std::fs::read_to_string(&log).unwrap();
    assert_eq!(first, run_log(&testcase("singlefailure"), seed, &dir));
    assert!(stdout.contains("singlefailure total"), "{stdout}");
}

#[test]
fn bad_conf_files_get_one_line_errors() {
    let dir = scratch("bad");
    let cases: [(&str, &[u8], &str); 6] = [
        (
            "zero.conf",
            b"MAX_NNB: 0\n",
            "zero.conf:1: MAX_NNB must be a whole number from 1 to 4096",
        ),
        ("huge.conf", b"MAX_NNB: 100000000\n", "huge.conf:1: MAX_NNB"),
        (
            "prob.conf",
            b"MAX_NNB: 10\nMSG_DROP_PROB: 1.5\n",
            "prob.conf:2: MSG_DROP_PROB must be a number from 0 to 1",
        ),
        (
            "key.conf",
            b"MAX_NNB: 10\nFOO: 1\n",
            "key.conf:2: unknown key `FOO`",
        ),
        (
            "bytes.conf",
            b"MAX_NNB: 10\n\xc3\x28\n",
            "bytes.conf:2: not valid UTF-8",
        ),
        (
            "bom.conf",
            b"\xef\xbb\xbfMAX_NNB: 10\n",
            "bom.conf:1: the file starts with a UTF-8 byte-order mark: save it without one",
        ),
    ];
    for (name, bytes, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = ftkv(&["run", path.to_str().unwrap(), "--seed", "1"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(want), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = ftkv(&["run", "/no/such/file.conf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("ftkv: /no/such/file.conf: cannot read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unwritable_log_is_an_error() {
    let out = ftkv(&[
        "run",
        &testcase("create"),
        "--seed",
        "1",
        "--log",
        "/no/such/dir/dbg.log",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write /no/such/dir/dbg.log"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn grade_passes_the_classic_cases_and_fails_a_crippled_one() {
    let out = ftkv(&[
        "grade",
        "--seeds",
        "3",
        "--testcases",
        &format!("{}/testcases", env!("CARGO_MANIFEST_DIR")),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        stdout.matches("90/90  full marks on 3/3 seeds").count(),
        2,
        "{stdout}"
    );

    // Two peers cannot hold three replicas: the create check must fail.
    let dir = scratch("crippled");
    for name in ftkv::classic::CASES.into_iter().filter(|&n| n != "create") {
        std::fs::copy(testcase(name), dir.join(format!("{name}.conf"))).unwrap();
    }
    std::fs::write(dir.join("create.conf"), "MAX_NNB: 2\nCRUD_TEST: CREATE\n").unwrap();
    let out = ftkv(&["grade", "--testcases", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("87/90"), "{stdout}");
    assert!(
        stdout.contains("first seed short of full marks on create: 0"),
        "{stdout}"
    );

    std::fs::remove_file(dir.join("read.conf")).unwrap();
    let out = ftkv(&["grade", "--testcases", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("read.conf: cannot read"),
        "{}",
        stderr(&out)
    );

    // A conf under the wrong name would be graded as that test: refused.
    std::fs::write(dir.join("read.conf"), "MAX_NNB: 10\nCRUD_TEST: CREATE\n").unwrap();
    let out = ftkv(&["grade", "--testcases", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "read.conf must hold a key-value test (CRUD_TEST: READ), but holds a key-value test (CRUD_TEST: CREATE)"
        ),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.join("read.conf"), "MAX_NNB: 10\nCRUD_TEST: READ\n").unwrap();
    std::fs::write(dir.join("multifailure.conf"), "MAX_NNB: 10\n").unwrap();
    let out = ftkv(&["grade", "--testcases", dir.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("multifailure.conf must hold a membership test (SINGLE_FAILURE: 0, DROP_MSG: 0), but holds a membership test (SINGLE_FAILURE: 1, DROP_MSG: 0)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn grade_rejects_a_seed_range_that_overflows() {
    let out = ftkv(&[
        "grade",
        "--seeds",
        "2",
        "--first-seed",
        "18446744073709551615",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("overflows"), "{}", stderr(&out));
    let out = ftkv(&["grade", "--seeds", "0"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses 0 seeds");
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftkv"))
        .args([
            "grade",
            "--seeds",
            "2",
            "--testcases",
            &format!("{}/testcases", env!("CARGO_MANIFEST_DIR")),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn replay_writes_the_log_of_a_link_and_refuses_a_bad_one() {
    use ftkv::{Action, Session, Setup};
    let mut s = Session::new(Setup::new(8, 4), false).unwrap();
    s.step(30);
    s.act(Action::Fail(ftkv::PeerId(2))).unwrap();
    s.request(
        ftkv::OpKind::Create,
        "k",
        Some("v"),
        None,
        ftkv::Level::Quorum,
    )
    .unwrap();
    s.step(40);
    let dir = scratch("replay");
    let log = dir.join("dbg.log");
    let url = format!("http://127.0.0.1:8080/#{}", s.link());
    let out = ftkv(&["replay", &url, "--log", log.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("replayed 8 peers, seed 4, 2 actions, to tick 70"));
    let expected = ftkv::classic::render(s.log().events());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), expected);

    for bad in ["", "#v=1&peers=8", "http://x/#garbage&sum=00000000"] {
        let out = ftkv(&["replay", bad, "--log", log.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).starts_with("ftkv: share link: "),
            "{bad}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).trim_end().lines().count(), 1);
    }
}

#[test]
fn check_prints_each_key_and_passes_a_correct_run() {
    let out = ftkv(&[
        "check",
        "v=1&peers=9&seed=11&tick=187&do=128.create.4.k3.v18;148.fail.6;169.recover.6;172.delete.9.k3;182.read.1.k3&sum=1989086b",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("key k3"), "{text}");
    assert!(text.contains("linearizable"), "{text}");
    assert!(text.contains("no anomaly that must be zero"), "{text}");
    assert!(
        text.contains("rules of a run with faults (no cut, at most 1 down at once): live peers stay, within the failure budget under n=3,r=2,w=2"),
        "{text}"
    );
    let bad = ftkv(&["check", "v=1&peers=9&seed=11&tick=187&sum=00000000"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("checksum"), "{}", stderr(&bad));
}

#[test]
fn torture_prints_one_json_object_with_every_anomaly() {
    let json = json_of(&[
        "torture",
        "--seeds",
        "3",
        "--profile",
        "crash",
        "--profile",
        "partitions",
        "--json",
    ]);
    let profiles = json["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0]["name"], "crash");
    assert_eq!(profiles[1]["name"], "partitions");
    for p in profiles {
        assert_eq!(p["runs"], 3);
        assert!(p["ops"].as_u64().unwrap() > 500);
        let availability = p["availability"].as_f64().unwrap();
        assert!(availability > 0.5 && availability <= 1.0, "{availability}");
        assert!(p["mean_latency"].as_f64().unwrap() >= 2.0, "a round trip");
        let anomalies = p["anomalies"].as_object().unwrap();
        assert_eq!(anomalies.len(), ftkv::check::Anomaly::ALL.len());
        for field in ftkv::check::Anomaly::ALL {
            assert!(anomalies.contains_key(field.name()), "{field}");
        }
        // Every repro link names an anomaly found and replays.
        for (field, link) in p["repro"].as_object().unwrap() {
            assert!(anomalies[field].as_u64().unwrap() > 0);
            ftkv::Session::from_link(link.as_str().unwrap(), false).unwrap();
        }
    }
    let unknown = ftkv(&["torture", "--profile", "skewed"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no profile `skewed`"));
    let twice = ftkv(&["torture", "--profile", "none", "--profile", "none"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("--profile none is given twice"));
}

#[test]
fn ring_with_64_vnodes_spreads_keys_evenly_and_a_join_moves_few() {
    let out = ftkv(&[
        "ring", "--peers", "10", "--vnodes", "64", "--keys", "10000", "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let load: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&load["peers"], &load["vnodes"], &load["keys"]),
        (&10.into(), &64.into(), &10_000.into())
    );
    assert_eq!(load["mean"].as_f64(), Some(1000.0));
    let (min, max) = (load["min"].as_u64().unwrap(), load["max"].as_u64().unwrap());
    assert!(min <= 1000 && 1000 <= max, "{load}");
    assert!(load["max_over_mean"].as_f64().unwrap() <= 1.25, "{load}");
    let join = load["moved_on_join"].as_u64().unwrap();
    assert!((500..=1500).contains(&join), "{load}");
    let leave = load["moved_on_leave"].as_u64().unwrap();
    assert!((500..=1500).contains(&leave), "{load}");
}

#[test]
fn ring_prints_a_table_beside_one_token_per_peer() {
    let out = ftkv(&["ring", "--peers", "10", "--vnodes", "64", "--keys", "10000"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("64 vnodes") && text.contains("1 vnode"),
        "{text}"
    );
    assert!(text.contains("max/mean") && text.contains("moved when 11.0.0.0:0 joins"));
}

#[test]
fn ring_refuses_bad_input_with_exit_2() {
    for (args, problem) in [
        (["--peers", "0"], "peers must be from 1 to 4096, not 0"),
        (
            ["--peers", "5000"],
            "peers must be from 1 to 4096, not 5000",
        ),
        (["--vnodes", "257"], "vnodes must be from 1 to 256, not 257"),
        (["--keys", "0"], "keys must be from 1 to 1000000, not 0"),
    ] {
        let out = ftkv(&["ring", args[0], args[1]]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(problem), "{}", stderr(&out));
    }
}

#[test]
fn torture_compares_configurations_in_one_json_object() {
    let json = json_of(&[
        "torture",
        "--seeds",
        "2",
        "--profile",
        "none",
        "--profile",
        "drops",
        "--compare",
        "n=3,r=1,w=1",
        "w=2, r=2",
        "--json",
    ]);
    let configs = json["configs"].as_array().unwrap();
    assert_eq!(strings(configs, "config"), ["n=3,r=1,w=1", "n=3,r=2,w=2"]);
    for c in configs {
        let profiles = c["profiles"].as_array().unwrap();
        assert_eq!(strings(profiles, "name"), ["none", "drops"]);
        for p in profiles {
            assert_eq!(p["runs"], 2);
            assert!(p["ops"].as_u64().unwrap() > 400);
            assert!(p["anomalies"]
                .as_object()
                .unwrap()
                .contains_key("stale_read"));
            assert!(p["availability"].as_f64().unwrap() > 0.0);
            assert!(p["mean_latency"].as_f64().unwrap() > 0.0);
            for link in p["repro"].as_object().unwrap().values() {
                let link = link.as_str().unwrap();
                let weak = link.contains("&rep=3.1.1&");
                assert_eq!(weak, c["config"] == "n=3,r=1,w=1", "{link}");
            }
        }
        assert_eq!(profiles[0]["availability"], 1.0, "no faults: every answer");
    }
    let weak_drops = &configs[0]["profiles"][1];
    let classic_drops = &configs[1]["profiles"][1];
    assert!(
        weak_drops["availability"].as_f64() > classic_drops["availability"].as_f64(),
        "one answer is easier to get than two under message loss"
    );

    let text = text_of(&[ONE_QUIET_RUN, &["--compare", "n=3,r=1,w=1", "n=5,r=3,w=3"]].concat());
    assert!(text.contains("n=3,r=1,w=1  n=5,r=3,w=3"), "{text}");
    for row in [
        "stale_read",
        "non-linearizable keys",
        "availability",
        "mean latency",
    ] {
        let row = format!("\n  {row} ");
        assert_eq!(text.matches(&row).count(), 1, "{row}: {text}");
    }
}

#[test]
fn torture_refuses_bad_settings_by_name() {
    let cases: [(&[&str], &str); 8] = [
        (
            &["--compare", "n=3,x=1"],
            "--compare `n=3,x=1`: unknown setting `x`",
        ),
        (
            &["--compare", "n=3,r=4"],
            "R must be from 1 to N = 3, not 4",
        ),
        (&["--compare", "n=3", ""], "--compare ``: no settings given"),
        (&["--compare", "n=five"], "`five` is not a whole number"),
        (&["--n", "8"], "N must be from 1 to 7, not 8"),
        (&["--vnodes", "0"], "vnodes must be from 1 to 256, not 0"),
        (
            &["--compare", "vnodes=300"],
            "--compare `vnodes=300`: vnodes must be from 1 to 256, not 300",
        ),
        (
            &["--compare", "ae=gossip"],
            "ae must be digest or merkle, not `gossip`",
        ),
    ];
    refuses(ONE_QUIET_RUN, &cases);
    for (flag, value, want) in [
        (
            "--anti-entropy",
            "gossip",
            "anti-entropy must be digest or merkle, not `gossip`",
        ),
        (
            "--ae-period",
            "0",
            "ae-period must be from 1 to 10000 ticks, not 0",
        ),
        (
            "--read-repair",
            "eager",
            "read-repair must be off, async or blocking, not `eager`",
        ),
    ] {
        let out = ftkv(&["torture", "--seeds", "1", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&out).contains(want), "{}", stderr(&out));
    }
}

#[test]
fn torture_takes_vnodes_as_a_flag_and_as_a_setting() {
    let json = json_of(&[
        "torture",
        "--seeds",
        "2",
        "--profile",
        "drops",
        "--vnodes",
        "16",
        "--compare",
        "n=3",
        "vnodes=64,read-repair=async",
        "--json",
    ]);
    let configs = json["configs"].as_array().unwrap();
    assert_eq!(
        strings(configs, "config"),
        [
            "n=3,r=2,w=2,vnodes=16",
            "n=3,r=2,w=2,read-repair=async,vnodes=64"
        ]
    );
    for (c, field) in configs.iter().zip(["&vn=16&", "&vn=64&"]) {
        let repro = c["profiles"][0]["repro"].as_object().unwrap();
        assert!(!repro.is_empty(), "message loss shows some anomaly: {c}");
        for link in repro.values() {
            assert!(link.as_str().unwrap().contains(field), "{link}");
        }
    }
    let text = text_of(&[ONE_QUIET_RUN, &["--vnodes", "8"]].concat());
    assert!(
        text.starts_with("ftkv torture: 1 seeds per profile (0..=0), n=3,r=2,w=2,vnodes=8\n"),
        "{text}"
    );
}

#[test]
fn torture_runs_merkle_anti_entropy_from_flags_or_settings() {
    let args = ["torture", "--seeds", "3", "--profile", "drops", "--json"];
    let flags = json_of(
        &[
            &args[..],
            &["--anti-entropy", "merkle", "--ae-period", "10"],
        ]
        .concat(),
    );
    let settings = json_of(&[&args[..], &["--compare", "ae=merkle,ae-period=10"]].concat());
    let configs = settings["configs"].as_array().unwrap();
    assert_eq!(
        strings(configs, "config"),
        ["n=3,r=2,w=2,ae=merkle,ae-period=10"]
    );
    assert_eq!(
        flags["profiles"], configs[0]["profiles"],
        "one configuration"
    );
    let drops = &flags["profiles"][0];
    for field in ["lost_write", "divergent_end", "under_replicated_end"] {
        assert_eq!(drops["anomalies"][field], 0, "{field}");
    }
    for link in drops["repro"].as_object().unwrap().values() {
        let link = link.as_str().unwrap();
        assert!(link.contains(".10.300&ae=merkle&"), "{link}");
    }
}

#[test]
fn staleness_prints_the_pbs_curve() {
    let weak = json_of(&[
        "staleness",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--delays",
        "1..10",
        "--seeds",
        "6",
        "--json",
    ]);
    assert_eq!(weak["config"], "n=3,r=1,w=1");
    assert_eq!(weak["delays"], serde_json::json!([1, 10]));
    let points = weak["points"].as_array().unwrap();
    for (t, point) in points.iter().enumerate() {
        assert_eq!(point["t"], t as u64);
        assert!(point["reads"].as_u64().unwrap() > 0);
    }
    let p = |point: &serde_json::Value| point["p"].as_f64().unwrap();
    assert!(p(&points[0]) < 1.0, "R = W = 1 under delays starts stale");
    assert_eq!(p(points.last().unwrap()), 1.0, "and climbs to 1");

    let strict = json_of(&["staleness", "--delays", "1..10", "--seeds", "6", "--json"]);
    assert_eq!(strict["config"], "n=3,r=2,w=2");
    let points = strict["points"].as_array().unwrap();
    assert!(points.iter().all(|point| p(point) == 1.0), "{strict}");

    let text = text_of(&[
        "staleness",
        "--r",
        "1",
        "--w",
        "1",
        "--delays",
        "2..6",
        "--seeds",
        "2",
    ]);
    assert!(
        text.contains("n=3,r=1,w=1, link delays 2..=6 ticks, 2 seeds"),
        "{text}"
    );

    refuses(
        &["staleness", "--seeds", "1"],
        &[
            (
                &["--delays", "9..3"],
                "delays `9..3`: need 1 <= LO <= HI <= 100",
            ),
            (&["--r", "4"], "R must be from 1 to N = 3, not 4"),
        ],
    );
}
