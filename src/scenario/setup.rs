//! How a scenario starts: its peers, seed, configuration and, for a
//! classic test case driven on the ring, its preset.

use crate::classic;
use crate::protocol::config::Config;
use crate::scenario::error::ScenarioError;

/// How a scenario starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Number of peers.
    pub peers: u32,
    /// The seed.
    pub seed: u64,
    /// Protocol timings and replication.
    pub config: Config,
    /// A classic test case driven on the ring, by name.
    pub preset: Option<String>,
}

impl Setup {
    /// `peers` peers, seed `seed`, default timings, no preset.
    pub fn new(peers: u32, seed: u64) -> Setup {
        Setup {
            peers,
            seed,
            config: Config::default(),
            preset: None,
        }
    }

    /// The classic test case `name` (one of [`classic::CASES`]) with `seed`.
    pub fn preset(name: &str, seed: u64) -> Result<Setup, ScenarioError> {
        let test =
            classic::builtin(name).ok_or_else(|| ScenarioError::UnknownPreset(name.to_owned()))?;
        Ok(Setup {
            peers: test.peers,
            preset: Some(name.to_owned()),
            ..Setup::new(test.peers, seed)
        })
    }
}
