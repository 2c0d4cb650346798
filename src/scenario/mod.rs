//! Scenarios: a simulation plus every action a person took, with its tick —
//! and the share link that replays it exactly.
//!
//! - [`setup`]: how a scenario starts (peers, seed, settings, preset);
//! - [`action`]: what a person does, and its text in a link;
//! - [`session`]: the running scenario the playground and `ftkv replay`
//!   drive;
//! - [`travel`] and [`timeline`]: showing any tick of the run again;
//! - [`link`]: the share link codec, with [`text`] for its keys and values
//!   and [`limits`] for its bounds;
//! - [`selection`]: the view a link restores;
//! - [`error`]: why a scenario, an action or a link was refused.

pub(crate) mod action;
pub(crate) mod error;
pub(crate) mod limits;
pub(crate) mod link;
pub(crate) mod selection;
pub(crate) mod session;
pub(crate) mod setup;
pub(crate) mod text;
pub(crate) mod timeline;
pub(crate) mod travel;

pub use action::{Action, Timed};
pub use error::{LinkError, ScenarioError};
pub use limits::MAX_LINK_BYTES;
pub use link::{peers as link_peers, seal};
pub use session::Session;
pub use setup::Setup;
