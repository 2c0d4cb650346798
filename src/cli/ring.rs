//! The `ftkv ring` command (part of the binary): how evenly a ring of
//! virtual nodes spreads keys over its peers, and how many keys a join or
//! a leave moves — beside one token per peer, for comparison.

use std::fmt::Write as _;
use std::process::ExitCode;

use ftkv::measure::Load;
use ftkv::PeerId;

/// `ftkv ring --peers P --vnodes V --keys K [--json]`.
pub fn ring(
    out: &mut String,
    peers: u64,
    vnodes: u64,
    keys: u64,
    json: bool,
) -> Result<ExitCode, String> {
    let load = Load::measure(peers, vnodes, keys).map_err(|e| e.to_string())?;
    if json {
        let text = serde_json::to_string(&load).map_err(|e| e.to_string())?;
        let _ = writeln!(out, "{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut columns = vec![load];
    if vnodes != 1 {
        columns.push(Load::measure(peers, 1, keys).map_err(|e| e.to_string())?);
    }
    let load = &columns[0];
    let _ = writeln!(
        out,
        "ring of {} peers, keys key0..key{}\n\
         each key is counted for its primary (first replica); it moves when its primary changes",
        load.peers,
        load.keys - 1
    );
    let mut row = |label: &str, cell: &dyn Fn(&Load) -> String| {
        let _ = write!(out, "  {label:<30}");
        for c in &columns {
            let _ = write!(out, "{:>12}", cell(c));
        }
        let _ = writeln!(out);
    };
    row("", &|l| match l.vnodes {
        1 => "1 vnode".to_owned(),
        v => format!("{v} vnodes"),
    });
    row("keys per peer: min", &|l| l.min.to_string());
    row("               mean", &|l| format!("{:.1}", l.mean));
    row("               max", &|l| l.max.to_string());
    row("               max/mean", &|l| {
        format!("{:.3}", l.max_over_mean)
    });
    let joins = format!("moved when {} joins", PeerId(load.peers));
    row(&joins, &|l| l.moved_on_join.to_string());
    let leaves = format!("moved when {} leaves", PeerId(0));
    row(&leaves, &|l| l.moved_on_leave.to_string());
    Ok(ExitCode::SUCCESS)
}
