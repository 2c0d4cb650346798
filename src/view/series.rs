//! The run over time, for small charts under the time slider: the health
//! counters and the requests' outcomes, in buckets of ticks from tick 0 to
//! the horizon (the shown tick's recorded future included, so the charts
//! stay whole while the page looks back; it draws the shown tick as a
//! cursor).

use serde::Serialize;

use crate::protocol::event::EventKind;
use crate::scenario::Session;
use crate::sim::health::Sample;

/// The run in buckets of ticks: bucket `i` covers the ticks
/// `from[i]..until[i]`; every array has one entry per bucket.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SeriesView {
    /// The shown tick (the page's cursor).
    pub tick: u64,
    /// The furthest tick reached: the series ends there.
    pub horizon: u64,
    /// Ticks between two health samples.
    pub every: u64,
    /// Each bucket's first tick.
    pub from: Vec<u64>,
    /// Each bucket's end (exclusive).
    pub until: Vec<u64>,
    /// Failed peers: the most sampled in the bucket.
    pub failed: Vec<u32>,
    /// Keys with fewer than N live copies: the most sampled in the bucket.
    pub under_replicated: Vec<u32>,
    /// Keys with fewer live copies than R or W: the most sampled.
    pub below_quorum: Vec<u32>,
    /// Messages in flight: the most sampled in the bucket.
    pub in_flight: Vec<u32>,
    /// Requests invoked in the bucket that succeeded.
    pub ok: Vec<u32>,
    /// Requests invoked in the bucket that failed.
    pub fail: Vec<u32>,
    /// Requests invoked in the bucket with no decision by the horizon.
    pub pending: Vec<u32>,
}

/// The run from tick 0 to the horizon in at most `buckets` buckets (at
/// least one; fewer when the run has fewer ticks) of equal width, the last
/// one cut at the horizon. A health counter's value in a bucket is the
/// largest sampled in it, or, when no sample falls in it, the latest
/// sample before it. Requests count by the tick they were invoked at, with
/// their outcome as known at the horizon.
pub fn series(session: &Session, buckets: u32) -> SeriesView {
    let horizon = session.horizon();
    let ticks = horizon + 1;
    let width = ticks.div_ceil(u64::from(buckets.max(1)));
    let count = ticks.div_ceil(width) as usize;
    let bucket_of = |tick: u64| (tick / width) as usize;
    let mut view = SeriesView {
        tick: session.sim().now(),
        horizon,
        every: session.samples().every(),
        from: (0..count as u64).map(|i| i * width).collect(),
        until: (0..count as u64)
            .map(|i| ((i + 1) * width).min(ticks))
            .collect(),
        failed: vec![0; count],
        under_replicated: vec![0; count],
        below_quorum: vec![0; count],
        in_flight: vec![0; count],
        ok: vec![0; count],
        fail: vec![0; count],
        pending: vec![0; count],
    };
    let samples = session.samples().all();
    for (i, &from) in view.from.iter().enumerate() {
        let first = samples.partition_point(|s| s.tick < from);
        let end = samples.partition_point(|s| s.tick < view.until[i]);
        let inside = &samples[first..end];
        let shown: &[Sample] = match (inside.is_empty(), first) {
            (true, 0) => continue,
            (true, _) => &samples[first - 1..first],
            (false, _) => inside,
        };
        let most = |f: fn(&Sample) -> u32| shown.iter().map(f).max().unwrap_or(0);
        view.failed[i] = most(|s| s.failed);
        view.under_replicated[i] = most(|s| s.under_replicated);
        view.below_quorum[i] = most(|s| s.below_quorum);
        view.in_flight[i] = most(|s| s.in_flight);
    }
    for events in session.log().recorded_transactions() {
        let (mut invoked, mut ok) = (None, None);
        for e in events {
            match &e.kind {
                EventKind::Operation { .. } => invoked = Some(e.tick),
                EventKind::Outcome {
                    coordinator: true,
                    ok: decided,
                    ..
                } => ok = Some(*decided),
                _ => {}
            }
        }
        let Some(at) = invoked.map(bucket_of).filter(|&b| b < count) else {
            continue;
        };
        let counter = match ok {
            Some(true) => &mut view.ok,
            Some(false) => &mut view.fail,
            None => &mut view.pending,
        };
        counter[at] += 1;
    }
    view
}
