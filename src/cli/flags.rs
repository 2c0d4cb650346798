//! The command line's setting flags, read off the settings schema
//! ([`ftkv::settings::SETTINGS`]): `--n 3 --r 1 --vnodes 64
//! --read-repair async --hinted-handoff --anti-entropy merkle --ae-period
//! 10`, each turned into its `key=value` of the settings text.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use ftkv::settings::{Kind, LinkField, Setting, SETTINGS};
use ftkv::Config;

/// The flags of every setting, or with `REPLICATION` only those of
/// N, R and W.
pub struct SettingFlags<const REPLICATION: bool> {
    /// The settings given, as `key=value` pairs of the settings text.
    pub pairs: Vec<String>,
}

impl<const REPLICATION: bool> SettingFlags<REPLICATION> {
    fn settings() -> impl Iterator<Item = &'static Setting> {
        SETTINGS
            .iter()
            .filter(|s| !REPLICATION || matches!(s.link, LinkField::Group { .. }))
    }

    /// The default configuration with the flags' settings applied.
    pub fn config(&self) -> Result<Config, String> {
        if self.pairs.is_empty() {
            return Ok(Config::default());
        }
        Config::default()
            .with_settings(&self.pairs.join(","))
            .map_err(|e| e.to_string())
    }
}

/// The flag of setting `s`, its doc and default as help: a switch takes no
/// value; any other value is read as the settings text reads it (its range
/// is checked with the rest).
fn flag(s: &'static Setting) -> Arg {
    let help = format!("{} [default: {}]", s.doc, s.default_value());
    let arg = Arg::new(s.flag).long(s.flag).help(help);
    match s.kind {
        Kind::Switch => arg.action(ArgAction::SetTrue),
        _ => arg.value_parser(move |text: &str| s.parse(text, s.flag).map(|_| text.to_owned())),
    }
}

impl<const REPLICATION: bool> FromArgMatches for SettingFlags<REPLICATION> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let pairs = Self::settings()
            .filter_map(|s| match s.kind {
                Kind::Switch => matches.get_flag(s.flag).then(|| format!("{}=on", s.name)),
                _ => matches
                    .get_one::<String>(s.flag)
                    .map(|value| format!("{}={value}", s.name)),
            })
            .collect();
        Ok(SettingFlags { pairs })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<const REPLICATION: bool> Args for SettingFlags<REPLICATION> {
    fn augment_args(cmd: Command) -> Command {
        Self::settings().fold(cmd, |cmd, s| cmd.arg(flag(s)))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
