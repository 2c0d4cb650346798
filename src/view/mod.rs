//! What the playground shows, as plain serializable snapshots of a
//! [`crate::scenario::Session`], one module each: the ring ([`ring`]), the
//! links' faults ([`links`]), the settings and scenario ([`settings`]),
//! one peer in detail ([`peer`]), the events ([`events`]), one
//! transaction ([`transaction`]) and its messages, a preset's grade
//! ([`grade`]) and guide ([`guide`]), the client history ([`history`]),
//! the history checker's report ([`check`]) and the run over time
//! ([`series`]). Computed here, in Rust, so the page only draws.

mod check;
mod events;
mod grade;
mod guide;
mod history;
mod links;
mod messages;
mod peer;
mod ring;
mod series;
mod settings;
mod transaction;
mod words;

pub use check::{check, CheckView};
pub use events::{events, recent_events, EventFilter, EventRow};
pub use grade::{grade, CheckRow, GradeView};
pub use guide::{guide, GuideStep, GuideView};
pub use history::{history, HistoryRow};
pub use links::{links, LinkRow, LinksView};
pub use messages::MessageRow;
pub use peer::{peer, MemberRow, PeerDetail, StoredRow};
pub use ring::{ring, Beliefs, Health, KeyDot, MessageDot, PeerDot, RingView, MAX_BELIEF_PEERS};
pub use series::{series, SeriesView};
pub use settings::{explain_replication, scenario, settings, ScenarioView, SettingsView};
pub use transaction::{transaction, Answer, Asked, TransactionView};

#[cfg(test)]
mod fixture;
