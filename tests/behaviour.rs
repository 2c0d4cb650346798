//! Behaviour pinned byte for byte: the classic `dbg.log` of every test case
//! on seeds 1–5, `ftkv torture --seeds 200 --json`, and what `ftkv replay`
//! and `ftkv check` print for every share link written in the tests and the
//! sources (sealed with a checksum where the test seals it at run time).
//!
//! `tests/golden/behaviour.txt` holds the fingerprint of the build before a
//! change that claims "behaviour unchanged"; this test fails on any
//! difference. A change that means to alter behaviour regenerates it with
//! `FTKV_BLESS=1 cargo test --release --test behaviour` and says why in its
//! commit. `FTKV_BEHAVIOUR_BIN=path/to/ftkv` fingerprints another build
//! instead of this one (with `FTKV_BLESS=1`: records a reference build's).

use std::path::{Path, PathBuf};
use std::process::Command;

use xxhash_rust::xxh3::xxh3_64;

const GOLDEN: &str = "tests/golden/behaviour.txt";

/// The binary fingerprinted: this build's, or the one `FTKV_BEHAVIOUR_BIN`
/// names (a reference build, to compare two builds directly).
fn binary() -> PathBuf {
    std::env::var_os("FTKV_BEHAVIOUR_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ftkv")), PathBuf::from)
}

/// Runs ftkv in `dir` (so the log it names is always `dbg.log`): what it
/// printed and its exit status.
fn ftkv(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(binary())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ftkv runs");
    let mut all = out.stdout;
    all.extend_from_slice(&out.stderr);
    all.extend_from_slice(format!("exit {:?}", out.status.code()).as_bytes());
    all
}

fn short(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
}

/// Every `v=1&…` link literally written in the files under `dir`.
fn links_in(dir: &Path, links: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "node_modules" && name != "golden" {
                links_in(&path, links);
            }
        } else if name.ends_with(".rs") || name.ends_with(".mjs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("v=1&") {
                let link: String = text[at..]
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ' ' | ')' | '`' | '\\' | '\n' | '{'))
                    .collect();
                links.push(link);
            }
        }
    }
}

/// The link as a test replays it: sealed with its checksum when it has none.
fn sealed(link: &str) -> String {
    if link.contains("&sum=") {
        link.to_string()
    } else {
        format!("{link}&sum={:08x}", xxh3_64(link.as_bytes()) & 0xffff_ffff)
    }
}

fn fingerprint() -> String {
    let tmp = std::env::temp_dir().join(format!("ftkv-behaviour-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let log = tmp.join("dbg.log");
    let log_arg = "dbg.log";
    let mut lines = Vec::new();
    let mut confs: Vec<PathBuf> = std::fs::read_dir("testcases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    confs.sort();
    for conf in &confs {
        for seed in 1..=5 {
            let seed = seed.to_string();
            let conf = std::fs::canonicalize(conf).unwrap();
            ftkv(
                &tmp,
                &[
                    "run",
                    conf.to_str().unwrap(),
                    "--seed",
                    &seed,
                    "--log",
                    log_arg,
                ],
            );
            let text = std::fs::read(&log).unwrap();
            let name = conf.file_name().unwrap().to_string_lossy();
            lines.push(format!("testcases/{name} seed {seed} {}", short(&text)));
        }
    }
    lines.push(format!(
        "torture --seeds 200 --json {}",
        short(&ftkv(&tmp, &["torture", "--seeds", "200", "--json"]))
    ));
    let mut links = Vec::new();
    links_in(Path::new("tests"), &mut links);
    links_in(Path::new("src"), &mut links);
    links.sort();
    links.dedup();
    for link in links {
        let link = sealed(&link);
        let _ = std::fs::remove_file(&log);
        let mut replay = ftkv(&tmp, &["replay", &link, "--log", log_arg]);
        if let Ok(text) = std::fs::read(&log) {
            replay.extend_from_slice(&text);
        }
        let check = ftkv(&tmp, &["check", &link]);
        lines.push(format!(
            "link {} replay {} check {}",
            &short(link.as_bytes())[..12],
            short(&replay),
            short(&check)
        ));
    }
    std::fs::remove_dir_all(&tmp).unwrap();
    lines.join("\n") + "\n"
}

#[test]
fn behaviour_is_byte_identical_to_the_golden_fingerprint() {
    let now = fingerprint();
    if std::env::var_os("FTKV_BLESS").is_some() {
        std::fs::write(GOLDEN, &now).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    let changed: Vec<String> = golden
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  was {a}\n  now {b}"))
        .collect();
    assert!(
        changed.is_empty() && golden.lines().count() == now.lines().count(),
        "behaviour differs from {GOLDEN} ({} lines then, {} now):\n{}",
        golden.lines().count(),
        now.lines().count(),
        changed.join("\n")
    );
}
