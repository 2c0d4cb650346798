//! The `ftkv explore` command (part of the binary): every schedule of a
//! small cluster within bounds ([`ftkv::explore`]), its counts and speed,
//! and each anomaly found with its shortest schedule as a share link.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use ftkv::explore::{self, Bounds, Options, Outcome};
use serde_json::json;

/// What `ftkv explore` was asked to do: its flags.
#[derive(clap::Args)]
pub struct ExploreArgs {
    /// Peers in the cluster (3 to 5).
    #[arg(long, default_value_t = 3)]
    peers: u32,
    /// The cluster's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The client's operations, one after another: "create k a; update k b; read k"
    /// (create/update KEY VALUE, read/delete KEY).
    #[arg(long)]
    ops: String,
    /// The most choices in one schedule.
    #[arg(long, default_value_t = Bounds::default().depth)]
    depth: u32,
    /// The most store messages one schedule drops.
    #[arg(long, default_value_t = Bounds::default().max_drops)]
    max_drops: u32,
    /// The most store messages one schedule holds back a tick.
    #[arg(long, default_value_t = Bounds::default().max_holds)]
    max_holds: u32,
    /// The most crashes in one schedule.
    #[arg(long, default_value_t = Bounds::default().max_crashes)]
    max_crashes: u32,
    /// The most recoveries in one schedule before the settling, which recovers every
    /// crashed peer (a recovery is offered once every live peer has removed the peer).
    #[arg(long, default_value_t = Bounds::default().max_recoveries)]
    max_recoveries: u32,
    /// The most distinct states visited.
    #[arg(long, default_value_t = Bounds::default().max_states)]
    max_states: u64,
    /// Print one JSON object instead of the text.
    #[arg(long)]
    json: bool,
    /// Every setting of the schema, as a flag.
    #[command(flatten)]
    settings: crate::flags::SettingFlags<false>,
}

/// `ftkv explore`: exit 0 when no anomaly that must be zero was found, 1
/// when one was, 2 for bad arguments.
pub fn explore(out: &mut String, args: &ExploreArgs) -> Result<ExitCode, String> {
    let config = args.settings.config()?;
    let ops = explore::parse_ops(&args.ops).map_err(|e| e.to_string())?;
    let opts = Options {
        peers: args.peers,
        seed: args.seed,
        config,
        ops,
        bounds: Bounds {
            depth: args.depth,
            max_drops: args.max_drops,
            max_holds: args.max_holds,
            max_crashes: args.max_crashes,
            max_recoveries: args.max_recoveries,
            max_states: args.max_states,
        },
    };
    let began = Instant::now();
    let outcome = explore::explore(&opts).map_err(|e| e.to_string())?;
    let seconds = began.elapsed().as_secs_f64();
    let rate = outcome.generated as f64 / seconds.max(1e-9);
    if args.json {
        print_json(out, &opts, &outcome, seconds, rate)?;
    } else {
        print_text(out, &opts, &outcome, seconds, rate);
    }
    Ok(if outcome.violations().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn workload(opts: &Options) -> String {
    let ops: Vec<String> = opts.ops.iter().map(ToString::to_string).collect();
    ops.join("; ")
}

/// The bounds that cut the search short, in words; empty if none did.
fn cut(outcome: &Outcome, bounds: &Bounds) -> Vec<String> {
    let mut hit = Vec::new();
    if outcome.cut_by_depth > 0 {
        hit.push(format!(
            "--depth {} ({} states left unexpanded)",
            bounds.depth, outcome.cut_by_depth
        ));
    }
    if outcome.hit_max_states {
        hit.push(format!("--max-states {}", bounds.max_states));
    }
    hit
}

fn verdict(outcome: &Outcome) -> String {
    let violations: Vec<&str> = outcome
        .violations()
        .iter()
        .map(|f| f.anomaly.name())
        .collect();
    let scope = if outcome.exhaustive() {
        "every schedule within the budgets"
    } else {
        "the schedules explored (a bound was hit)"
    };
    match violations.is_empty() {
        true => format!("no violation in {scope}"),
        false => format!("VIOLATION ({}) in {scope}", violations.join(", ")),
    }
}

fn print_text(out: &mut String, opts: &Options, outcome: &Outcome, seconds: f64, rate: f64) {
    let b = &opts.bounds;
    let _ = writeln!(
        out,
        "ftkv explore: {} peers, seed {}, ops `{}`, {}",
        opts.peers,
        opts.seed,
        workload(opts),
        opts.config.settings()
    );
    let _ = writeln!(
        out,
        "  bounds: depth {}, drops {}, holds {}, crashes {}, recoveries {}, states {}",
        b.depth, b.max_drops, b.max_holds, b.max_crashes, b.max_recoveries, b.max_states
    );
    let _ = writeln!(
        out,
        "  {} states generated, {} unique, {} terminal schedules checked, depth reached {}",
        outcome.generated, outcome.unique, outcome.checked, outcome.depth_reached
    );
    let _ = writeln!(out, "  {seconds:.2} s, {rate:.0} states/s");
    let hit = cut(outcome, b);
    match hit.is_empty() {
        true => {
            let _ = writeln!(out, "  no bound hit: exhaustive");
        }
        false => {
            let _ = writeln!(out, "  bound hit: {}", hit.join(", "));
        }
    }
    for f in &outcome.findings {
        let judged = match f.must_be_zero {
            true => "must be zero",
            false => "allowed",
        };
        let _ = writeln!(
            out,
            "  {} ({judged} for {}), in {} schedules, shortest {} choices{}\n    {}\n    {}",
            f.anomaly,
            f.rules,
            f.schedules,
            f.depth,
            if f.replays {
                ""
            } else {
                " (NOT reproduced by its link)"
            },
            f.detail,
            f.link
        );
    }
    let _ = writeln!(out, "{}", verdict(outcome));
}

fn print_json(
    out: &mut String,
    opts: &Options,
    outcome: &Outcome,
    seconds: f64,
    rate: f64,
) -> Result<(), String> {
    let b = &opts.bounds;
    let findings: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "anomaly": f.anomaly.name(),
                "rules": f.rules,
                "must_be_zero": f.must_be_zero,
                "schedules": f.schedules,
                "depth": f.depth,
                "detail": f.detail,
                "link": f.link,
                "replays": f.replays,
            })
        })
        .collect();
    let value = json!({
        "peers": opts.peers,
        "seed": opts.seed,
        "ops": workload(opts),
        "settings": opts.config.settings(),
        "bounds": {
            "depth": b.depth,
            "max_drops": b.max_drops,
            "max_holds": b.max_holds,
            "max_crashes": b.max_crashes,
            "max_recoveries": b.max_recoveries,
            "max_states": b.max_states,
        },
        "generated": outcome.generated,
        "unique": outcome.unique,
        "checked": outcome.checked,
        "depth_reached": outcome.depth_reached,
        "cut_by_depth": outcome.cut_by_depth,
        "hit_max_states": outcome.hit_max_states,
        "exhaustive": outcome.exhaustive(),
        "seconds": seconds,
        "states_per_second": rate,
        "findings": findings,
        "violations": outcome.violations().iter().map(|f| f.anomaly.name()).collect::<Vec<_>>(),
        "verdict": verdict(outcome),
    });
    let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
    let _ = writeln!(out, "{text}");
    Ok(())
}
