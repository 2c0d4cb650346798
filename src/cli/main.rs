//! The `ftkv` command line: run a classic test case and write its
//! `dbg.log`, grade all seven test cases over many seeds, replay a
//! playground share link, check or torture histories, explore every
//! schedule of a small cluster, measure staleness,
//! or measure how a ring of virtual nodes spreads keys.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod consistency;
mod explore;
mod flags;
mod ring;
mod staleness;

use clap::{Parser, Subcommand};
use flags::SettingFlags;
use ftkv::classic::Testcase;
use ftkv::classic::{self, Grade};
use ftkv::EventLog;
use ftkv::Session;

/// A deterministic simulator of a Dynamo-style fault-tolerant key-value store.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one classic test case and write its dbg.log.
    Run {
        /// The test case, e.g. testcases/read.conf.
        conf: PathBuf,
        /// The seed; without it one is picked and printed.
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the log.
        #[arg(long, default_value = "dbg.log")]
        log: PathBuf,
    },
    /// Replay a playground share link and write the same dbg.log the page offers.
    Replay {
        /// The link: the whole address or just its fragment (after `#`).
        link: String,
        /// Where to write the log.
        #[arg(long, default_value = "dbg.log")]
        log: PathBuf,
    },
    /// Replay a share link and check its history: each key's verdict and every anomaly.
    Check {
        /// The link: the whole address or just its fragment (after `#`).
        link: String,
    },
    /// Jepsen-style runs: random workloads under each fault profile, every history checked.
    Torture {
        /// How many seeds to run each profile on.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seeds: u64,
        /// The first seed; the others follow it.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// A profile to run (repeatable); all of them by default.
        #[arg(long = "profile")]
        profiles: Vec<String>,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// Every setting of the schema, as a flag.
        #[command(flatten)]
        settings: SettingFlags<false>,
        /// Compare configurations, each a settings text such as "n=3,r=1,w=1"
        /// or "ae=merkle" (applied over the flags above): one table per
        /// profile, a column each.
        #[arg(long, num_args = 1..)]
        compare: Vec<String>,
    },
    /// Every schedule of a small cluster (bounded model checking): each anomaly with its shortest schedule.
    Explore(explore::ExploreArgs),
    /// The PBS curve: how likely a read t ticks after a write's acknowledgement returns it.
    Staleness {
        /// N, R and W, as flags.
        #[command(flatten)]
        replication: SettingFlags<true>,
        /// Each directed link's delay is drawn from LO..HI ticks (inclusive).
        #[arg(long, default_value = "1..1")]
        delays: String,
        /// How many seeds (clusters) to measure.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        seeds: u64,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// How evenly a ring spreads keys, and how many keys move when a peer joins or leaves.
    Ring {
        /// Peers on the ring (ids 0..P).
        #[arg(long, default_value_t = 10)]
        peers: u64,
        /// Tokens (virtual nodes) per peer.
        #[arg(long, default_value_t = 1)]
        vnodes: u64,
        /// Keys placed: key0, key1, ….
        #[arg(long, default_value_t = 10_000)]
        keys: u64,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run all seven classic test cases on many seeds and grade them.
    Grade {
        /// How many seeds to run each test case on.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seeds: u64,
        /// The first seed; the others follow it.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// The folder holding the seven classic .conf files.
        #[arg(long, default_value = "testcases")]
        testcases: PathBuf,
    },
}

fn main() -> ExitCode {
    let mut out = String::new();
    let result = match Cli::parse().command {
        Command::Run { conf, seed, log } => run(&mut out, &conf, seed, &log),
        Command::Replay { link, log } => replay(&mut out, &link, &log),
        Command::Check { link } => consistency::check(&mut out, &link),
        Command::Torture {
            seeds,
            first_seed,
            profiles,
            json,
            settings,
            compare,
        } => consistency::torture(
            &mut out,
            &consistency::TortureArgs {
                seeds,
                first: first_seed,
                profiles,
                json,
                settings,
                compare,
            },
        ),
        Command::Explore(args) => explore::explore(&mut out, &args),
        Command::Staleness {
            replication,
            delays,
            seeds,
            json,
        } => replication
            .config()
            .and_then(|config| staleness::staleness(&mut out, &config, &delays, seeds, json)),
        Command::Ring {
            peers,
            vnodes,
            keys,
            json,
        } => ring::ring(&mut out, peers, vnodes, keys, json),
        Command::Grade {
            seeds,
            first_seed,
            testcases,
        } => grade(&mut out, &testcases, first_seed, seeds),
    };
    // A closed pipe (`ftkv grade | head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ftkv: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(out: &mut String, conf: &Path, seed: Option<u64>, log: &Path) -> Result<ExitCode, String> {
    let test = Testcase::load(conf).map_err(|e| e.to_string())?;
    let seed = seed.unwrap_or_else(pick_seed);
    let events = classic::run(&test, seed).map_err(|e| format!("{}: {e}", conf.display()))?;
    let _ = writeln!(
        out,
        "{}: {} peers, {} ticks, seed {seed} (rerun with --seed {seed})",
        conf.display(),
        test.peers,
        classic::TICKS
    );
    write_log(out, &events, log)?;
    let _ = write!(out, "{}", ftkv::classic::grade(&test, events.events()));
    Ok(ExitCode::SUCCESS)
}

fn replay(out: &mut String, link: &str, log: &Path) -> Result<ExitCode, String> {
    let session = Session::from_link(link, false).map_err(|e| e.to_string())?;
    let setup = session.setup();
    let _ = writeln!(
        out,
        "replayed {} peers, seed {}, {} actions, to tick {}{}",
        setup.peers,
        setup.seed,
        session.actions().len(),
        session.sim().now(),
        setup
            .preset
            .as_ref()
            .map_or(String::new(), |p| format!(" (preset {p})"))
    );
    write_log(out, session.log(), log)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the dbg.log of the events in `log` to `path` and says so.
fn write_log(out: &mut String, log: &EventLog, path: &Path) -> Result<(), String> {
    let text = ftkv::classic::render(log.events());
    std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let lines = text.lines().count();
    let _ = writeln!(out, "wrote {} ({lines} lines)", path.display());
    Ok(())
}

/// A seed for a run that was given none: from the clock, printed so the
/// run can be repeated.
fn pick_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64 ^ u64::from(std::process::id())) % 1_000_000_000
}

/// The grades of one test case over all seeds.
struct TestGrades {
    name: &'static str,
    conf: PathBuf,
    key_value: bool,
    grades: Vec<(u64, Grade)>,
}

fn grade(out: &mut String, dir: &Path, first: u64, count: u64) -> Result<ExitCode, String> {
    let last = first
        .checked_add(count - 1)
        .ok_or_else(|| format!("--first-seed {first} plus --seeds {count} overflows"))?;
    let mut all = Vec::new();
    for (index, name) in classic::CASES.into_iter().enumerate() {
        let key_value = index < classic::KEY_VALUE_CASES;
        let conf = dir.join(format!("{name}.conf"));
        let test = Testcase::load(&conf).map_err(|e| e.to_string())?;
        classic::check_case(name, &test).map_err(|e| format!("{}: {e}", conf.display()))?;
        let grades =
            grade_seeds(&test, first, last).map_err(|e| format!("{}: {e}", conf.display()))?;
        all.push(TestGrades {
            name,
            conf,
            key_value,
            grades,
        });
    }
    let _ = writeln!(
        out,
        "ftkv grade: 7 test cases x {count} seeds ({first}..={last})"
    );
    let mut perfect = true;
    let mut maxima = [0u32; 2];
    for (slot, (title, key_value)) in [("key-value grader", true), ("membership grader", false)]
        .into_iter()
        .enumerate()
    {
        let _ = writeln!(out, "\n{title}");
        let tests: Vec<&TestGrades> = all.iter().filter(|t| t.key_value == key_value).collect();
        for t in &tests {
            print_test(out, t);
        }
        let full = (0..count as usize)
            .filter(|&i| tests.iter().all(|t| t.grades[i].1.is_full()))
            .count();
        let min = (0..count as usize)
            .map(|i| tests.iter().map(|t| t.grades[i].1.points()).sum::<u32>())
            .min()
            .unwrap_or(0);
        let max: u32 = tests.iter().map(|t| t.grades[0].1.max()).sum();
        let _ = writeln!(
            out,
            "  {:<62} {min:>3}/{max:<3} full marks on {full}/{count} seeds",
            "total"
        );
        perfect &= full as u64 == count;
        maxima[slot] = max;
    }
    for t in &all {
        if let Some((seed, g)) = t.grades.iter().find(|(_, g)| !g.is_full()) {
            let _ = writeln!(
                out,
                "\nfirst seed short of full marks on {}: {seed} (ftkv run {} --seed {seed})\n{g}",
                t.name,
                t.conf.display()
            );
        }
    }
    if perfect {
        let [key_value, membership] = maxima;
        let _ = writeln!(
            out,
            "\nevery seed: {key_value}/{key_value} key-value, {membership}/{membership} membership"
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// One line per check: the lowest points over all seeds and how many
/// seeds got the check in full.
fn print_test(out: &mut String, t: &TestGrades) {
    let Some((_, first)) = t.grades.first() else {
        return;
    };
    for (i, check) in first.checks.iter().enumerate() {
        let points = t.grades.iter().filter_map(|(_, g)| g.checks.get(i));
        let min = points.clone().map(|c| c.points).min().unwrap_or(0);
        let full = points.filter(|c| c.points == c.max).count();
        let _ = writeln!(
            out,
            "  {:<21} {:<40} {min:>3}/{:<3} full on {full}/{}",
            t.name,
            check.name,
            check.max,
            t.grades.len()
        );
    }
}

/// Runs and grades `test` on seeds `first..=last`, split over the cores.
fn grade_seeds(test: &Testcase, first: u64, last: u64) -> Result<Vec<(u64, Grade)>, String> {
    let runs = parallel_seeds(
        first,
        last,
        |seed| classic::run(test, seed).map(|log| ftkv::classic::grade(test, log.events())),
        |_| {},
    )?;
    runs.into_iter()
        .map(|(seed, grade)| grade.map(|g| (seed, g)).map_err(|e| e.to_string()))
        .collect()
}

/// Runs `work` on every seed of `first..=last`, split over the cores, and
/// returns the results in seed order; `progress` hears each count of
/// seeds done (from the first thread's share, times the threads).
fn parallel_seeds<T: Send>(
    first: u64,
    last: u64,
    work: impl Fn(u64) -> T + Sync,
    progress: impl Fn(u64) + Sync,
) -> Result<Vec<(u64, T)>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let span = last - first + 1;
    let chunk = span.div_ceil(threads);
    let (work, progress) = (&work, &progress);
    let parts = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| (t, first + t * chunk))
            .take_while(|&(_, start)| start <= last && start >= first)
            .map(|(t, start)| {
                let end = start.saturating_add(chunk - 1).min(last);
                scope.spawn(move || {
                    (start..=end)
                        .map(|seed| {
                            let result = (seed, work(seed));
                            if t == 0 {
                                progress((seed - start + 1) * threads);
                            }
                            result
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a worker thread panicked".to_string()))
            .collect::<Vec<_>>()
    });
    let mut all = Vec::new();
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}
