//! The `ftkv staleness` command (part of the binary): the PBS curve of one
//! configuration, its seeds split over the cores.

use std::fmt::Write as _;
use std::process::ExitCode;

use ftkv::measure::{self, Curve, Delays, Tally};
use ftkv::Config;

/// `ftkv staleness`.
pub fn staleness(
    out: &mut String,
    config: &Config,
    delays: &str,
    seeds: u64,
    json: bool,
) -> Result<ExitCode, String> {
    let delays = Delays::parse(delays).map_err(|e| e.to_string())?;
    let tallies = crate::parallel_seeds(
        0,
        seeds - 1,
        |seed| measure::measure(config, delays, seed),
        |_| {},
    )?;
    let mut tally = Tally::default();
    for (_, one) in tallies {
        tally.add(&one.map_err(|e| e.to_string())?);
    }
    let curve = Curve::of(config, delays, seeds, &tally);
    if json {
        let text = serde_json::to_string(&curve).map_err(|e| e.to_string())?;
        let _ = writeln!(out, "{text}");
    } else {
        print_curve(out, &curve);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_curve(out: &mut String, curve: &Curve) {
    let [low, high] = curve.delays;
    let _ = writeln!(
        out,
        "ftkv staleness: {}, link delays {low}..={high} ticks, {} seeds",
        curve.config, curve.seeds
    );
    let _ = writeln!(
        out,
        "p(t): the share of reads t ticks after a write's acknowledgement that return it"
    );
    let _ = writeln!(out, "{:>5} {:>8} {:>8}", "t", "p", "reads");
    for point in &curve.points {
        let _ = writeln!(out, "{:>5} {:>8.4} {:>8}", point.t, point.p, point.reads);
    }
    match curve.points.last() {
        Some(last) if last.p == 1.0 => {
            let _ = writeln!(out, "p = 1 from t = {} on", last.t);
        }
        _ => {
            let _ = writeln!(out, "p has not reached 1 by t = {}", measure::T_MAX);
        }
    }
}
