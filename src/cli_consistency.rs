//! The `ftkv check` and `ftkv torture` commands (part of the binary): the
//! history checker on one share link, and Jepsen-style runs over many
//! seeds and fault profiles, with a shrunk share link for every anomaly.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

use ftkv::check::Anomalies;
use ftkv::scenario::Session;
use ftkv::torture::{self, shrink, Profile, RunResult};
use serde::Serialize;

/// `ftkv check <link>`.
pub fn check(out: &mut String, link: &str) -> Result<ExitCode, String> {
    let session = Session::from_link(link, false).map_err(|e| e.to_string())?;
    let report = torture::check_session(&session);
    let profile = torture::rules_for(&session);
    let _ = writeln!(
        out,
        "checked {} operations on {} keys to tick {}; end state {}",
        report.keys.iter().map(|k| k.ops).sum::<u32>(),
        report.keys.len(),
        session.sim().now(),
        if session.quiet_for(torture::QUIET) {
            "checked (quiet for 250 ticks)"
        } else {
            "not checked (not quiet for 250 ticks)"
        }
    );
    for k in &report.keys {
        let _ = writeln!(
            out,
            "  key {:<12} {:>4} ops  {}",
            k.key,
            k.ops,
            k.verdict.word()
        );
    }
    for f in &report.findings {
        let must = if profile.must_be_zero(f.kind) {
            "  (must be zero)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  tick {:>5}  {}  {}: {}{must}",
            f.tick, f.kind, f.key, f.detail
        );
    }
    let bad = torture::violations(profile, &report.anomalies);
    if bad.is_empty() {
        let _ = writeln!(out, "no anomaly that must be zero");
        Ok(ExitCode::SUCCESS)
    } else {
        let _ = writeln!(out, "must-be-zero anomalies found: {}", bad.join(", "));
        Ok(ExitCode::from(1))
    }
}

/// One profile's totals.
#[derive(Serialize)]
struct ProfileTotals {
    name: &'static str,
    runs: u64,
    ops: u64,
    keys: u64,
    anomalies: BTreeMap<&'static str, u64>,
    repro: BTreeMap<&'static str, String>,
}

/// `ftkv torture`.
pub fn torture(
    out: &mut String,
    seeds: u64,
    first: u64,
    profiles: &[String],
    json: bool,
) -> Result<ExitCode, String> {
    let profiles: Vec<Profile> = if profiles.is_empty() {
        Profile::ALL.to_vec()
    } else {
        profiles
            .iter()
            .map(|name| {
                Profile::parse(name).ok_or_else(|| {
                    let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
                    format!("no profile `{name}` (profiles: {})", names.join(", "))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let last = first
        .checked_add(seeds - 1)
        .ok_or("the seeds run past the largest seed")?;
    let mut totals = Vec::new();
    let mut failed = false;
    for profile in profiles {
        let runs = crate::parallel_seeds(
            first,
            last,
            |seed| torture::run(profile, seed),
            |done| {
                if seeds >= 1000 && done % (seeds / 10).max(1) == 0 {
                    eprintln!("ftkv torture: {} {done}/{seeds}", profile.name());
                }
            },
        )?;
        let t = totals_of(profile, &runs);
        failed |= !torture::violations(profile, &sum(&runs)).is_empty();
        totals.push(t);
    }
    if json {
        let text = serde_json::to_string(&serde_json::json!({ "profiles": totals }))
            .map_err(|e| e.to_string())?;
        let _ = writeln!(out, "{text}");
    } else {
        print_table(out, &totals, seeds, first);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn sum(runs: &[(u64, RunResult)]) -> Anomalies {
    let mut all = Anomalies::default();
    for (_, r) in runs {
        all.add(&r.report.anomalies);
    }
    all
}

/// Totals of one profile, with the shrunk link of the smallest run that
/// shows each anomaly found.
fn totals_of(profile: Profile, runs: &[(u64, RunResult)]) -> ProfileTotals {
    let all = sum(runs);
    let mut repro = BTreeMap::new();
    for (field, count) in all.iter() {
        if count == 0 {
            continue;
        }
        let Some((seed, _)) = runs
            .iter()
            .filter(|(_, r)| r.report.anomalies.get(field) > 0)
            .min_by_key(|(_, r)| r.actions.len())
        else {
            continue;
        };
        let (setup, _, end) = torture::plan(profile, *seed);
        let (link, _) = shrink::shrink(&setup, &actions_of(runs, *seed), end, field);
        repro.insert(field, link);
    }
    ProfileTotals {
        name: profile.name(),
        runs: runs.len() as u64,
        ops: runs.iter().map(|(_, r)| r.ops).sum(),
        keys: runs.iter().map(|(_, r)| r.report.keys.len() as u64).sum(),
        anomalies: all.iter().collect(),
        repro,
    }
}

fn actions_of(runs: &[(u64, RunResult)], seed: u64) -> Vec<ftkv::scenario::Timed> {
    runs.iter()
        .find(|(s, _)| *s == seed)
        .map(|(_, r)| r.actions.clone())
        .unwrap_or_default()
}

fn print_table(out: &mut String, totals: &[ProfileTotals], seeds: u64, first: u64) {
    let _ = writeln!(
        out,
        "ftkv torture: {seeds} seeds per profile ({first}..={})",
        first + seeds - 1
    );
    for t in totals {
        let profile = Profile::parse(t.name).unwrap_or(Profile::None);
        let _ = writeln!(
            out,
            "\n{}: {} runs, {} operations, {} keys checked",
            t.name, t.runs, t.ops, t.keys
        );
        for field in Anomalies::FIELDS {
            let count = t.anomalies.get(field).copied().unwrap_or(0);
            let per_k = count as f64 * 1000.0 / t.ops.max(1) as f64;
            let rule = match (profile.must_be_zero(field), count) {
                (true, 0) => "must be 0: ok",
                (true, _) => "must be 0: FAILED",
                (false, _) => "",
            };
            let _ = writeln!(out, "  {field:<22} {count:>7} {per_k:>9.3}/1k ops  {rule}");
        }
        for (field, link) in &t.repro {
            let _ = writeln!(out, "  repro {field}: {link}");
        }
    }
}
