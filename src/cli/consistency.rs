//! The `ftkv check` and `ftkv torture` commands (part of the binary): the
//! history checker on one share link, and Jepsen-style runs over many
//! seeds and fault profiles, with a shrunk share link for every anomaly.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

use ftkv::check::{Anomalies, Anomaly};
use ftkv::torture::{self, Profile, RunResult, Service};
use ftkv::Config;
use ftkv::Session;
use serde::Serialize;

/// `ftkv check <link>`.
pub fn check(out: &mut String, link: &str) -> Result<ExitCode, String> {
    let session = Session::from_link(link, false).map_err(|e| e.to_string())?;
    let report = torture::check_session(&session);
    let rules = torture::rules_for(&session);
    let _ = writeln!(
        out,
        "checked {} operations on {} keys to tick {}; end state {}; rules of a run with {} under {}",
        report.keys.iter().map(|k| k.ops).sum::<u32>(),
        report.keys.len(),
        session.sim().now(),
        if session.quiet_for(torture::QUIET) {
            "checked (quiet for 250 ticks)"
        } else {
            "not checked (not quiet for 250 ticks)"
        },
        rules.describe(),
        session.setup().config.settings()
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
        let must = if rules.must_be_zero(f.kind) {
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
    let bad = torture::violations(rules, &report.anomalies);
    if bad.is_empty() {
        let _ = writeln!(out, "no anomaly that must be zero");
        Ok(ExitCode::SUCCESS)
    } else {
        let names: Vec<&str> = bad.iter().map(|a| a.name()).collect();
        let _ = writeln!(out, "must-be-zero anomalies found: {}", names.join(", "));
        Ok(ExitCode::from(1))
    }
}

/// One profile's totals under one configuration.
#[derive(Serialize)]
struct ProfileTotals {
    name: &'static str,
    runs: u64,
    ops: u64,
    keys: u64,
    anomalies: BTreeMap<&'static str, u64>,
    repro: BTreeMap<&'static str, String>,
    /// The share of requests answered definitely ([`Service`]).
    availability: f64,
    /// Mean ticks to a definite answer.
    mean_latency: f64,
    /// For each anomaly that must be zero in some run: in how many, and
    /// its count over them.
    must_be_zero: BTreeMap<&'static str, MustBeZero>,
}

/// An anomaly's count over the runs whose rules say it must be zero.
#[derive(Clone, Copy, Default, Serialize)]
struct MustBeZero {
    runs: u64,
    count: u64,
}

impl ProfileTotals {
    /// `field`'s count and its rate per 1,000 operations.
    fn count(&self, field: Anomaly) -> (u64, f64) {
        let count = self.anomalies.get(field.name()).copied().unwrap_or(0);
        (count, count as f64 * 1000.0 / self.ops.max(1) as f64)
    }
}

/// What `ftkv torture` was asked to do.
pub struct TortureArgs {
    /// Seeds per profile and configuration.
    pub seeds: u64,
    /// The first seed.
    pub first: u64,
    /// Profile names; every profile when empty.
    pub profiles: Vec<String>,
    /// Print JSON instead of tables.
    pub json: bool,
    /// The settings from their flags (`--n`, `--vnodes`, …).
    pub settings: crate::flags::SettingFlags<false>,
    /// Settings texts to compare, each applied over all the flags'
    /// settings.
    pub compare: Vec<String>,
}

/// `ftkv torture`.
pub fn torture(out: &mut String, args: &TortureArgs) -> Result<ExitCode, String> {
    let profiles = parse_profiles(&args.profiles)?;
    let base = args.settings.config()?;
    let configs: Vec<Config> = if args.compare.is_empty() {
        vec![base]
    } else {
        args.compare
            .iter()
            .map(|text| {
                base.with_settings(text)
                    .map_err(|e| format!("--compare `{text}`: {e}"))
            })
            .collect::<Result<_, _>>()?
    };
    let (seeds, first) = (args.seeds, args.first);
    let last = first
        .checked_add(seeds - 1)
        .ok_or("the seeds run past the largest seed")?;
    // The comparison table prints only the links of must-be-zero
    // anomalies: only those are shrunk for it.
    let all_links = args.json || args.compare.is_empty();
    let mut results = Vec::new();
    for config in &configs {
        let mut totals = Vec::new();
        for &profile in &profiles {
            let runs = crate::parallel_seeds(
                first,
                last,
                |seed| torture::run(config, profile, seed),
                |done| {
                    if seeds >= 1000 && done % (seeds / 10).max(1) == 0 {
                        eprintln!(
                            "ftkv torture: {} {} {done}/{seeds}",
                            config.settings(),
                            profile.name()
                        );
                    }
                },
            )?;
            totals.push(totals_of(config, profile, &runs, all_links));
        }
        results.push((config.settings(), totals));
    }
    let failed = results
        .iter()
        .flat_map(|(_, totals)| totals)
        .any(|t| Anomaly::ALL.into_iter().any(|f| violated(t, f)));
    let json = match (args.json, args.compare.is_empty()) {
        (false, true) => {
            print_table(out, &results[0].1, seeds, first, &results[0].0);
            None
        }
        (false, false) => {
            print_comparison(out, &results, seeds, first);
            None
        }
        (true, true) => Some(serde_json::json!({ "profiles": results[0].1 })),
        (true, false) => {
            let configs: Vec<_> = results
                .iter()
                .map(|(config, profiles)| serde_json::json!({ "config": config, "profiles": profiles }))
                .collect();
            Some(serde_json::json!({ "configs": configs }))
        }
    };
    if let Some(json) = json {
        let text = serde_json::to_string(&json).map_err(|e| e.to_string())?;
        let _ = writeln!(out, "{text}");
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_profiles(names: &[String]) -> Result<Vec<Profile>, String> {
    if names.is_empty() {
        return Ok(Profile::ALL.to_vec());
    }
    let mut profiles = Vec::with_capacity(names.len());
    for name in names {
        let profile = Profile::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
            format!("no profile `{name}` (profiles: {})", names.join(", "))
        })?;
        if profiles.contains(&profile) {
            return Err(format!("--profile {name} is given twice"));
        }
        profiles.push(profile);
    }
    Ok(profiles)
}

/// Whether `field` occurred in some run of `t` whose rules say it must not.
fn violated(t: &ProfileTotals, field: Anomaly) -> bool {
    t.must_be_zero
        .get(field.name())
        .is_some_and(|m| m.count > 0)
}

fn sum(runs: &[(u64, RunResult)]) -> Anomalies {
    let mut all = Anomalies::default();
    for (_, r) in runs {
        all.add(&r.report.anomalies);
    }
    all
}

/// Totals of one profile under `config`, with the shrunk link of the
/// smallest run that shows each anomaly found — among the runs where it
/// must be zero if it shows in one — or, unless `all_links`, only of those
/// that must be zero.
fn totals_of(
    config: &Config,
    profile: Profile,
    runs: &[(u64, RunResult)],
    all_links: bool,
) -> ProfileTotals {
    let all = sum(runs);
    let mut must_be_zero: BTreeMap<&'static str, MustBeZero> = BTreeMap::new();
    for (_, r) in runs {
        for field in Anomaly::ALL {
            if r.rules.must_be_zero(field) {
                let m = must_be_zero.entry(field.name()).or_default();
                m.runs += 1;
                m.count += r.report.anomalies.get(field);
            }
        }
    }
    let mut repro = BTreeMap::new();
    for (field, count) in all.iter() {
        let must = must_be_zero.get(field.name()).is_some_and(|m| m.count > 0);
        if count == 0 || !(must || all_links) {
            continue;
        }
        let Some((seed, _)) = runs
            .iter()
            .filter(|(_, r)| {
                r.report.anomalies.get(field) > 0 && (!must || r.rules.must_be_zero(field))
            })
            .min_by_key(|(_, r)| r.actions.len())
        else {
            continue;
        };
        let (setup, _, end) = torture::plan(config, profile, *seed);
        let (link, _) = ftkv::torture::shrink(&setup, &actions_of(runs, *seed), end, field);
        repro.insert(field.name(), link);
    }
    let mut service = Service::default();
    for (_, r) in runs {
        service.add(&r.service);
    }
    ProfileTotals {
        name: profile.name(),
        runs: runs.len() as u64,
        ops: runs.iter().map(|(_, r)| r.ops).sum(),
        keys: runs.iter().map(|(_, r)| r.report.keys.len() as u64).sum(),
        anomalies: all
            .iter()
            .map(|(field, count)| (field.name(), count))
            .collect(),
        repro,
        availability: service.availability(),
        mean_latency: service.mean_latency(),
        must_be_zero,
    }
}

fn actions_of(runs: &[(u64, RunResult)], seed: u64) -> Vec<ftkv::Timed> {
    runs.iter()
        .find(|(s, _)| *s == seed)
        .map(|(_, r)| r.actions.clone())
        .unwrap_or_default()
}

fn header(out: &mut String, seeds: u64, first: u64, what: &str) {
    let _ = writeln!(
        out,
        "ftkv torture: {seeds} seeds per profile ({first}..={}), {what}",
        first + seeds - 1
    );
}

fn print_table(out: &mut String, totals: &[ProfileTotals], seeds: u64, first: u64, config: &str) {
    header(out, seeds, first, config);
    for t in totals {
        let _ = writeln!(
            out,
            "\n{}: {} runs, {} operations, {} keys checked",
            t.name, t.runs, t.ops, t.keys
        );
        for field in Anomaly::ALL {
            let (count, per_k) = t.count(field);
            let m = t
                .must_be_zero
                .get(field.name())
                .copied()
                .unwrap_or_default();
            let verdict = if m.count == 0 { "ok" } else { "FAILED" };
            let rule = match m.runs {
                0 => String::new(),
                runs if runs == t.runs => format!("must be 0: {verdict}"),
                runs => format!(
                    "must be 0 in {runs} of {} runs: {verdict} ({} there)",
                    t.runs, m.count
                ),
            };
            let _ = writeln!(out, "  {field:<22} {count:>7} {per_k:>9.3}/1k ops  {rule}");
        }
        let _ = writeln!(
            out,
            "  availability {:.2} % (requests answered ok, not-found or exists), mean latency {:.2} ticks",
            t.availability * 100.0,
            t.mean_latency
        );
        for (field, link) in &t.repro {
            let _ = writeln!(out, "  repro {field}: {link}");
        }
    }
}

/// One table per profile, a column per configuration: each anomaly per
/// 1,000 operations (`!` where it must be zero and is not), then the
/// non-linearizable keys, availability and mean latency.
fn print_comparison(
    out: &mut String,
    results: &[(String, Vec<ProfileTotals>)],
    seeds: u64,
    first: u64,
) {
    header(out, seeds, first, "anomalies per 1,000 operations");
    let _ = writeln!(
        out,
        "(! = must be zero under that configuration and is not; availability: requests answered ok, not-found or exists)"
    );
    let width = results
        .iter()
        .map(|(c, _)| c.len())
        .max()
        .unwrap_or(0)
        .max(12);
    for (at, profile) in results[0].1.iter().enumerate() {
        let columns: Vec<(&str, &ProfileTotals)> = results
            .iter()
            .map(|(config, totals)| (config.as_str(), &totals[at]))
            .collect();
        let _ = write!(out, "\n{:<24}", profile.name);
        for (config, _) in &columns {
            let _ = write!(out, " {config:>width$}");
        }
        let _ = writeln!(out);
        let mut row = |label: &str, cell: &dyn Fn(&ProfileTotals) -> String| {
            let _ = write!(out, "  {label:<22}");
            for (_, t) in &columns {
                let _ = write!(out, " {:>width$}", cell(t));
            }
            let _ = writeln!(out);
        };
        for field in Anomaly::ALL {
            row(field.name(), &|t| {
                let mark = if violated(t, field) { " !" } else { "" };
                format!("{:.3}{mark}", t.count(field).1)
            });
        }
        row("non-linearizable keys", &|t| {
            format!("{} of {}", t.count(Anomaly::NonLinearizableKeys).0, t.keys)
        });
        row("availability", &|t| {
            format!("{:.2} %", t.availability * 100.0)
        });
        row("mean latency (ticks)", &|t| {
            format!("{:.2}", t.mean_latency)
        });
        for (config, t) in &columns {
            for (field, link) in t
                .repro
                .iter()
                .filter(|(f, _)| f.parse().is_ok_and(|a| violated(t, a)))
            {
                let _ = writeln!(out, "  repro {field} ({config}): {link}");
            }
        }
    }
}
