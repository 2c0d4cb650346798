//! A preset's grade so far: each classic check with its points and
//! whether its window has closed.

use serde::Serialize;

use crate::classic::grader::Grade;
use crate::scenario::Session;

/// A preset's grade.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GradeView {
    /// The test case.
    pub test: String,
    /// Points given.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// Whether the run is over (else the grade is provisional).
    pub finished: bool,
    /// Whether the preset goes on as a free run at the shown tick (its
    /// grade stays that of its own ticks).
    pub continues_freely: bool,
    /// Points given by the checks whose window has closed: final points.
    pub settled: u32,
    /// Points possible in the checks whose window has closed.
    pub settled_max: u32,
    /// Each check.
    pub checks: Vec<CheckRow>,
}

/// One check of a grade.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CheckRow {
    /// What it checks.
    pub name: String,
    /// Points given.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// What was counted.
    pub detail: String,
    /// The tick its window closes at: from then on nothing changes its
    /// points.
    pub closes_at: u64,
    /// Whether its window has closed by the shown tick (its points are
    /// final; before, they are provisional).
    pub closed: bool,
}

/// The grade of a preset's run so far, or `None` without a preset.
/// `points` and `max` count every check, provisional ones included (the
/// classic grader's total at the end); `settled` and `settledMax` only the
/// checks whose window has closed.
pub fn grade(session: &Session) -> Option<GradeView> {
    let driver = session.preset()?;
    let g: &Grade = session.grade()?;
    let now = session.sim().now();
    let checks: Vec<CheckRow> = g
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| CheckRow {
            name: c.name.clone(),
            points: c.points,
            max: c.max,
            detail: c.detail.clone(),
            closes_at: driver.window_end(i),
            closed: now >= driver.window_end(i),
        })
        .collect();
    let settled = checks.iter().filter(|c| c.closed);
    Some(GradeView {
        test: g.test.clone(),
        points: g.points(),
        max: g.max(),
        finished: driver.is_done(session.sim()),
        continues_freely: session.free_from().is_some(),
        settled: settled.clone().map(|c| c.points).sum(),
        settled_max: settled.map(|c| c.max).sum(),
        checks,
    })
}
