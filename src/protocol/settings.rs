//! The settings schema: every setting a person may change — N, R, W, read
//! repair, virtual nodes, hinted handoff, anti-entropy and its period —
//! declared once in [`SETTINGS`], with its name in the settings text, the
//! command line, the share link and the JS API, its kind and range, its
//! default and a one-line doc. The settings text `n=3,r=1,w=1,ae=merkle`
//! ([`Config::with_settings`], [`Config::settings`]), the link fields, the
//! CLI flags and the page's fields are all read off this table, and
//! [`Config::validate`] is the one check of a configuration.

use std::fmt;

use crate::protocol::config::{
    AeMode, Config, ReadRepair, MAX_FANOUT, MAX_N, MAX_SIM_TOKENS, MAX_TIMING, MAX_VNODES,
};

/// The largest a setting's value may be: a number, or N (R and W).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Max {
    /// A fixed number.
    Const(u64),
    /// The configuration's N.
    N,
}

/// What values a setting takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number from `min` to `max`; `fits` is the largest its field
    /// holds (larger is "too large" before it is out of range).
    Whole {
        /// The least value.
        min: u64,
        /// The largest value.
        max: Max,
        /// The largest number the field holds.
        fits: u64,
        /// The unit in range messages (` ticks`), or empty.
        unit: &'static str,
    },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// On or off.
    Switch,
}

/// A setting's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A whole number.
    Whole(u64),
    /// A word of a [`Kind::Choice`].
    Word(&'static str),
    /// On (true) or off.
    Switch(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Whole(n) => write!(f, "{n}"),
            Value::Word(w) => f.write_str(w),
            Value::Switch(on) => f.write_str(if *on { "on" } else { "off" }),
        }
    }
}

/// Where a setting travels in a share link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkField {
    /// Number `index` of the dotted group field `field` (`rep=N.R.W`),
    /// written when any of the group differs from its default.
    Group {
        /// The field's name.
        field: &'static str,
        /// The place in it, from 0.
        index: usize,
    },
    /// A field of its own, written when the value is not the default.
    Own {
        /// The field's name.
        field: &'static str,
        /// How a refused value is named, `{}` standing for it.
        what: &'static str,
    },
    /// Number `index` of the timings field `t=`.
    Timings(usize),
}

/// One setting, declared once.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Its key in the settings text (`read-repair`).
    pub name: &'static str,
    /// How range messages name it (`R`, `vnodes`).
    pub label: &'static str,
    /// Its long flag on the command line, without `--`.
    pub flag: &'static str,
    /// Its option in the JS API (`readRepair`).
    pub js: &'static str,
    /// The JS option object it sits in (`replication`), if any.
    pub js_group: Option<&'static str>,
    /// Its label on the page.
    pub title: &'static str,
    /// One line on what it does.
    pub doc: &'static str,
    /// What values it takes.
    pub kind: Kind,
    /// Where a share link keeps it.
    pub link: LinkField,
    /// Its value in a configuration.
    pub get: fn(&Config) -> Value,
    /// Sets it (the value of its kind).
    pub set: fn(&mut Config, Value),
}

/// A whole-number value, or 0 for another kind (never given by the table).
fn whole(v: Value) -> u64 {
    match v {
        Value::Whole(n) => n,
        _ => 0,
    }
}

/// A word value, or "" for another kind.
fn word(v: Value) -> &'static str {
    match v {
        Value::Word(w) => w,
        _ => "",
    }
}

/// A count of replicas (N, R or W): a whole number of the `replication`
/// group, `rep=N.R.W` in a link at place `index`; named `[name, label]`.
const fn replicas(
    [name, label]: [&'static str; 2],
    title: &'static str,
    doc: &'static str,
    max: Max,
    index: usize,
    get: fn(&Config) -> Value,
    set: fn(&mut Config, Value),
) -> Setting {
    Setting {
        name,
        label,
        flag: name,
        js: name,
        js_group: Some("replication"),
        title,
        doc,
        kind: Kind::Whole {
            min: 1,
            max,
            fits: u8::MAX as u64,
            unit: "",
        },
        link: LinkField::Group {
            field: "rep",
            index,
        },
        get,
        set,
    }
}

/// Every setting, in the order the settings text names them.
pub static SETTINGS: [Setting; 8] = [
    replicas(["n", "N"], "N replicas", "Replicas per key: the first N distinct peers clockwise from the key", Max::Const(MAX_N as u64), 0, |c| Value::Whole(c.replication.n.into()), |c, v| c.replication.n = whole(v) as u8),
    replicas(["r", "R"], "R read quorum", "Read quorum: replies a read waits for", Max::N, 1, |c| Value::Whole(c.replication.r.into()), |c, v| c.replication.r = whole(v) as u8),
    replicas(["w", "W"], "W write quorum", "Write quorum: acknowledgements a write waits for", Max::N, 2, |c| Value::Whole(c.replication.w.into()), |c, v| c.replication.w = whole(v) as u8),
    Setting {
        name: "read-repair",
        label: "read-repair",
        flag: "read-repair",
        js: "readRepair",
        js_group: None,
        title: "Read repair",
        doc: "After a read, write the newest version back to replicas that answered with an older one: off, async (after the answer) or blocking (before it)",
        kind: Kind::Choice(&["off", "async", "blocking"]),
        link: LinkField::Own { field: "rr", what: "read repair `{}`" },
        get: |c| Value::Word(c.read_repair.word()),
        set: |c, v| c.read_repair = ReadRepair::parse(word(v)).unwrap_or_default(),
    },
    Setting {
        name: "vnodes",
        label: "vnodes",
        flag: "vnodes",
        js: "vnodes",
        js_group: None,
        title: "Virtual nodes",
        doc: "Tokens per peer on the ring: more tokens spread the keys more evenly",
        kind: Kind::Whole { min: 1, max: Max::Const(MAX_VNODES as u64), fits: u16::MAX as u64, unit: "" },
        link: LinkField::Own { field: "vn", what: "" },
        get: |c| Value::Whole(c.vnodes.into()),
        set: |c, v| c.vnodes = whole(v) as u16,
    },
    Setting {
        name: "hinted-handoff",
        label: "hinted-handoff",
        flag: "hinted-handoff",
        js: "hintedHandoff",
        js_group: None,
        title: "Hinted handoff",
        doc: "Sloppy quorum: a write meant for a suspected replica also goes to the next peer, which keeps it as a hint",
        kind: Kind::Switch,
        link: LinkField::Own { field: "hh", what: "hinted handoff `{}`" },
        get: |c| Value::Switch(c.hinted_handoff),
        set: |c, v| c.hinted_handoff = v == Value::Switch(true),
    },
    Setting {
        name: "ae",
        label: "ae",
        flag: "anti-entropy",
        js: "antiEntropy",
        js_group: None,
        title: "Anti-entropy",
        doc: "How neighbours compare the keys they share in the background: flat digests or Merkle trees",
        kind: Kind::Choice(&["digest", "merkle"]),
        link: LinkField::Own { field: "ae", what: "anti-entropy `ae={}`" },
        get: |c| Value::Word(c.anti_entropy.mode.word()),
        set: |c, v| c.anti_entropy.mode = AeMode::parse(word(v)).unwrap_or_default(),
    },
    Setting {
        name: "ae-period",
        label: "ae-period",
        flag: "ae-period",
        js: "aePeriod",
        js_group: None,
        title: "Anti-entropy period",
        doc: "Ticks between two anti-entropy rounds of one peer",
        kind: Kind::Whole { min: 1, max: Max::Const(MAX_TIMING), fits: u64::MAX, unit: " ticks" },
        link: LinkField::Timings(7),
        get: |c| Value::Whole(c.anti_entropy.period),
        set: |c, v| c.anti_entropy.period = whole(v),
    },
];

/// The setting named `name` in the settings text.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// `a, b or c`.
pub fn either(words: &[&str]) -> String {
    match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl Setting {
    /// Its default value.
    pub fn default_value(&self) -> Value {
        (self.get)(&Config::default())
    }

    /// The words it takes: a choice's, or `on` and `off`.
    pub fn words(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Choice(words) => words,
            Kind::Switch => &["on", "off"],
            Kind::Whole { .. } => &[],
        }
    }

    /// Reads its value from text: a whole number that fits its field, or
    /// one of its words. `called` is how the messages name the setting.
    pub fn parse(&self, text: &str, called: &str) -> Result<Value, SettingsError> {
        match self.kind {
            Kind::Whole { fits, .. } => {
                let n: u64 = text.parse().map_err(|_| SettingsError::NotWhole {
                    name: called.to_owned(),
                    text: text.to_owned(),
                })?;
                if n > fits {
                    return Err(SettingsError::TooLarge {
                        name: called.to_owned(),
                        text: text.to_owned(),
                    });
                }
                Ok(Value::Whole(n))
            }
            Kind::Choice(words) => words
                .iter()
                .find(|w| **w == text)
                .map(|w| Value::Word(w))
                .ok_or_else(|| self.not_a_word(text, called)),
            Kind::Switch => match text {
                "on" => Ok(Value::Switch(true)),
                "off" => Ok(Value::Switch(false)),
                _ => Err(self.not_a_word(text, called)),
            },
        }
    }

    fn not_a_word(&self, text: &str, called: &str) -> SettingsError {
        SettingsError::NotAWord {
            name: called.to_owned(),
            words: self.words(),
            text: text.to_owned(),
        }
    }

    /// Checks its value in `config` against its range.
    pub fn check(&self, config: &Config) -> Result<(), ConfigError> {
        let Kind::Whole { min, max, unit, .. } = self.kind else {
            return Ok(());
        };
        let value = whole((self.get)(config));
        let (top, n) = match max {
            Max::Const(top) => (top, None),
            Max::N => (u64::from(config.replication.n), Some(config.replication.n)),
        };
        if (min..=top).contains(&value) {
            Ok(())
        } else {
            Err(ConfigError::Range {
                label: self.label,
                min,
                max: top,
                of_n: n.is_some(),
                unit,
                value,
            })
        }
    }

    /// Its value in the settings text (and in a link's own field).
    pub fn text(&self, config: &Config) -> String {
        (self.get)(config).to_string()
    }
}

/// Why a configuration is refused ([`Config::validate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A setting out of its range.
    Range {
        /// The setting, as range messages name it.
        label: &'static str,
        /// The least value.
        min: u64,
        /// The largest value.
        max: u64,
        /// Whether the largest is N.
        of_n: bool,
        /// The unit, or empty.
        unit: &'static str,
        /// The value given.
        value: u64,
    },
    /// The gossip fanout is out of range.
    Fanout(u32),
    /// A timing is out of range.
    Timing {
        /// Its name.
        name: &'static str,
        /// Its value.
        value: u64,
    },
    /// A member would be removed before it is suspected.
    RemoveBeforeFail {
        /// `t_remove`.
        t_remove: u64,
        /// `t_fail`.
        t_fail: u64,
    },
    /// The ring would hold too many tokens.
    Tokens {
        /// The peers.
        peers: u32,
        /// Tokens per peer.
        vnodes: u16,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Range {
                label,
                min,
                max,
                of_n,
                unit,
                value,
            } => {
                let max = if *of_n {
                    format!("N = {max}")
                } else {
                    max.to_string()
                };
                write!(f, "{label} must be from {min} to {max}{unit}, not {value}")
            }
            ConfigError::Fanout(fanout) => {
                write!(f, "fanout must be from 1 to {MAX_FANOUT}, not {fanout}")
            }
            ConfigError::Timing { name, value } => write!(
                f,
                "{name} must be from 1 to {MAX_TIMING} ticks, not {value}"
            ),
            ConfigError::RemoveBeforeFail { t_remove, t_fail } => write!(
                f,
                "t_remove ({t_remove}) must be longer than t_fail ({t_fail})"
            ),
            ConfigError::Tokens { peers, vnodes } => write!(
                f,
                "peers × vnodes must be at most {MAX_SIM_TOKENS} (every peer keeps a ring of every token), not {peers} × {vnodes} = {}",
                u64::from(*peers) * u64::from(*vnodes)
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why a settings text is refused ([`Config::with_settings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingsError {
    /// The text is empty.
    Empty,
    /// A part that is not `key=value`.
    NotKeyValue(String),
    /// A key given twice.
    Twice(String),
    /// A key that names no setting.
    Unknown(String),
    /// A number setting given something else.
    NotWhole {
        /// The setting.
        name: String,
        /// What was given.
        text: String,
    },
    /// A number too large for its setting's field.
    TooLarge {
        /// The setting.
        name: String,
        /// What was given.
        text: String,
    },
    /// A word setting given another word.
    NotAWord {
        /// The setting.
        name: String,
        /// The words it takes.
        words: &'static [&'static str],
        /// What was given.
        text: String,
    },
    /// The configuration the settings make is refused.
    Invalid(ConfigError),
}

/// Every settings key, comma-separated.
fn keys() -> String {
    SETTINGS.map(|s| s.name).join(", ")
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Empty => write!(
                f,
                "no settings given (expected key=value pairs such as n=3,r=2,w=2; keys: {})",
                keys()
            ),
            SettingsError::NotKeyValue(pair) => write!(f, "`{pair}` is not key=value"),
            SettingsError::Twice(key) => write!(f, "setting `{key}` is given twice"),
            SettingsError::Unknown(key) => {
                write!(f, "unknown setting `{key}` (settings: {})", keys())
            }
            SettingsError::NotWhole { name, text } => {
                write!(f, "setting `{name}`: `{text}` is not a whole number")
            }
            SettingsError::TooLarge { name, text } => {
                write!(f, "setting `{name}`: {text} is too large")
            }
            SettingsError::NotAWord { name, words, text } => {
                write!(f, "{name} must be {}, not `{text}`", either(words))
            }
            SettingsError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SettingsError {}

impl From<ConfigError> for SettingsError {
    fn from(e: ConfigError) -> Self {
        SettingsError::Invalid(e)
    }
}

impl Config {
    /// The one check of a configuration: the gossip fanout and every
    /// timing, then every setting of [`SETTINGS`] in its range (R and W
    /// at most N), and a member suspected before it is removed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = &self.membership;
        if !(1..=MAX_FANOUT).contains(&m.fanout) {
            return Err(ConfigError::Fanout(m.fanout));
        }
        let timings = [
            ("t_fail", m.t_fail),
            ("t_remove", m.t_remove),
            ("join_retry", m.join_retry),
            ("op_timeout", self.op_timeout),
            ("orphan_hold", self.store.orphan_hold),
            ("push_retry", self.store.push_retry),
            ("ae_period", self.anti_entropy.period),
            ("tombstone_grace", self.store.tombstone_grace),
        ];
        for (name, value) in timings {
            if !(1..=MAX_TIMING).contains(&value) {
                return Err(ConfigError::Timing { name, value });
            }
        }
        self.validate_settings()?;
        if m.t_remove <= m.t_fail {
            return Err(ConfigError::RemoveBeforeFail {
                t_remove: m.t_remove,
                t_fail: m.t_fail,
            });
        }
        Ok(())
    }

    /// Every setting of [`SETTINGS`] in its range.
    fn validate_settings(&self) -> Result<(), ConfigError> {
        SETTINGS.iter().try_for_each(|s| s.check(self))
    }

    /// [`Config::validate`], and the ring of `peers` peers: with more than
    /// one token per peer at most `MAX_SIM_TOKENS` tokens in all.
    pub fn validate_ring(&self, peers: u32) -> Result<(), ConfigError> {
        self.validate()?;
        let tokens = u64::from(peers) * u64::from(self.vnodes);
        if self.vnodes > 1 && tokens > u64::from(MAX_SIM_TOKENS) {
            return Err(ConfigError::Tokens {
                peers,
                vnodes: self.vnodes,
            });
        }
        Ok(())
    }

    /// This configuration with the settings of `text` applied:
    /// comma-separated `key=value` pairs, each key of [`SETTINGS`] at most
    /// once, e.g. `n=3,r=1,w=1`. Each setting is checked in its range, then
    /// the whole by [`Config::validate`].
    pub fn with_settings(&self, text: &str) -> Result<Config, SettingsError> {
        if text.trim().is_empty() {
            return Err(SettingsError::Empty);
        }
        let mut config = *self;
        let mut seen: Vec<&str> = Vec::new();
        for pair in text.split(',').map(str::trim) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(SettingsError::NotKeyValue(pair.to_owned()));
            };
            let (key, value) = (key.trim(), value.trim());
            if seen.contains(&key) {
                return Err(SettingsError::Twice(key.to_owned()));
            }
            seen.push(key);
            let s = setting(key).ok_or_else(|| SettingsError::Unknown(key.to_owned()))?;
            (s.set)(&mut config, s.parse(value, key)?);
        }
        config.validate_settings()?;
        config.validate()?;
        Ok(config)
    }

    /// The settings text of this configuration: N, R and W, then every
    /// other setting that is not its default, e.g. `n=3,r=2,w=2` or
    /// `n=3,r=1,w=1,read-repair=blocking,vnodes=64,hinted-handoff=on`.
    pub fn settings(&self) -> String {
        let pairs: Vec<String> = SETTINGS
            .iter()
            .filter(|s| {
                matches!(s.link, LinkField::Group { .. }) || (s.get)(self) != s.default_value()
            })
            .map(|s| format!("{}={}", s.name, s.text(self)))
            .collect();
        pairs.join(",")
    }
}

/// An option's value as the JS API gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Number(n) => write!(f, "{n}"),
            OptionValue::Text(t) => f.write_str(t),
            OptionValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Setting {
    /// Reads its value from a JS option: a whole number, a word, or for a
    /// switch `true` or `false`; the messages name the option as the JS
    /// API does.
    pub fn from_option(&self, value: &OptionValue) -> Result<Value, SettingsError> {
        match (self.kind, value) {
            (Kind::Whole { fits, .. }, OptionValue::Number(n))
                if n.fract() == 0.0 && *n > fits as f64 =>
            {
                Err(SettingsError::TooLarge {
                    name: self.js.to_owned(),
                    text: value.to_string(),
                })
            }
            (Kind::Whole { .. }, OptionValue::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                Ok(Value::Whole(*n as u64))
            }
            (Kind::Whole { .. }, _) => Err(SettingsError::NotWhole {
                name: self.js.to_owned(),
                text: value.to_string(),
            }),
            (Kind::Switch, OptionValue::Bool(on)) => Ok(Value::Switch(*on)),
            (Kind::Choice(_), OptionValue::Text(text)) => self.parse(text, self.js),
            _ => Err(self.not_a_word(&value.to_string(), self.js)),
        }
    }
}

impl Config {
    /// This configuration with the settings of JS options applied:
    /// `option(setting)` is the setting's option, if given. Each setting
    /// is checked in its range (how they combine with the rest is
    /// [`Config::validate`]'s).
    pub fn with_options(
        &self,
        option: impl Fn(&Setting) -> Option<OptionValue>,
    ) -> Result<Config, SettingsError> {
        let mut config = *self;
        for s in &SETTINGS {
            if let Some(value) = option(s) {
                (s.set)(&mut config, s.from_option(&value)?);
            }
        }
        config.validate_settings()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::{AntiEntropy, Replication};

    #[test]
    fn settings_text_changes_replication() {
        let base = Config::default();
        let weak = base.with_settings("n=3,r=1,w=1").unwrap();
        assert_eq!(weak.replication, Replication { n: 3, r: 1, w: 1 });
        assert_eq!(weak.settings(), "n=3,r=1,w=1");
        assert_eq!(weak.membership, base.membership, "timings are kept");
        let five = base.with_settings(" w = 3 , n=5,r=3 ").unwrap();
        assert_eq!(five.settings(), "n=5,r=3,w=3");
        assert_eq!(base.with_settings("n=3").unwrap(), base);
        assert_eq!(base.settings(), "n=3,r=2,w=2");
    }

    #[test]
    fn bad_settings_text_names_the_problem() {
        let err = |text: &str| {
            Config::default()
                .with_settings(text)
                .unwrap_err()
                .to_string()
        };
        assert!(err("").starts_with("no settings given"), "{}", err(""));
        assert!(err("  ").starts_with("no settings given"));
        assert_eq!(
            err("x=1"),
            "unknown setting `x` (settings: n, r, w, read-repair, vnodes, hinted-handoff, ae, ae-period)"
        );
        assert_eq!(err("n=three"), "setting `n`: `three` is not a whole number");
        assert_eq!(err("r=-1"), "setting `r`: `-1` is not a whole number");
        assert_eq!(err("n=300"), "setting `n`: 300 is too large");
        assert_eq!(err("n=3,n=5"), "setting `n` is given twice");
        assert_eq!(err("n=3,,r=1"), "`` is not key=value");
        assert_eq!(err("n3"), "`n3` is not key=value");
        assert_eq!(err("n=1"), "R must be from 1 to N = 1, not 2");
        assert_eq!(err("r=4"), "R must be from 1 to N = 3, not 4");
        assert_eq!(err("n=8,r=1,w=1"), "N must be from 1 to 7, not 8");
    }

    #[test]
    fn replication_is_checked() {
        let check = |n, r, w| {
            Config {
                replication: Replication { n, r, w },
                ..Config::default()
            }
            .validate()
            .map_err(|e| e.to_string())
        };
        assert!(check(3, 2, 2).is_ok() && check(5, 1, 5).is_ok());
        let bad = |n, r, w| check(n, r, w).unwrap_err();
        assert_eq!(bad(8, 2, 2), "N must be from 1 to 7, not 8");
        assert_eq!(bad(0, 1, 1), "N must be from 1 to 7, not 0");
        assert_eq!(bad(3, 4, 2), "R must be from 1 to N = 3, not 4");
        assert_eq!(bad(3, 2, 0), "W must be from 1 to N = 3, not 0");
    }

    #[test]
    fn vnodes_are_checked() {
        let ring = |vnodes, peers| {
            Config {
                vnodes,
                ..Config::default()
            }
            .validate_ring(peers)
            .map_err(|e| e.to_string())
        };
        assert!(ring(1, 4096).is_ok());
        assert!(ring(256, 64).is_ok());
        assert_eq!(
            ring(0, 10).unwrap_err(),
            "vnodes must be from 1 to 256, not 0"
        );
        assert_eq!(
            ring(257, 10).unwrap_err(),
            "vnodes must be from 1 to 256, not 257"
        );
        assert_eq!(
            ring(256, 65).unwrap_err(),
            "peers × vnodes must be at most 16384 (every peer keeps a ring of every token), not 65 × 256 = 16640"
        );
    }

    #[test]
    fn vnodes_are_a_setting() {
        let c = Config::default()
            .with_settings("n=3,r=2,w=2,vnodes=64")
            .unwrap();
        assert_eq!(c.vnodes, 64);
        assert_eq!(c.settings(), "n=3,r=2,w=2,vnodes=64");
        let both = Config::default()
            .with_settings("vnodes=16,read-repair=async")
            .unwrap();
        assert_eq!(both.settings(), "n=3,r=2,w=2,read-repair=async,vnodes=16");
        assert_eq!(Config::default().with_settings(&both.settings()), Ok(both));
        assert_eq!(
            Config::default().with_settings("vnodes=1"),
            Ok(Config::default())
        );
        let err = |text: &str| {
            Config::default()
                .with_settings(text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err("vnodes=0"), "vnodes must be from 1 to 256, not 0");
        assert_eq!(err("vnodes=257"), "vnodes must be from 1 to 256, not 257");
        assert_eq!(err("vnodes=70000"), "setting `vnodes`: 70000 is too large");
        assert_eq!(
            err("vnodes=many"),
            "setting `vnodes`: `many` is not a whole number"
        );
    }

    #[test]
    fn read_repair_is_a_setting() {
        let c = Config::default()
            .with_settings("n=3,r=2,w=2,read-repair=blocking")
            .unwrap();
        assert_eq!(c.read_repair, ReadRepair::Blocking);
        assert_eq!(c.settings(), "n=3,r=2,w=2,read-repair=blocking");
        assert_eq!(Config::default().settings(), "n=3,r=2,w=2");
        let err = Config::default()
            .with_settings("read-repair=eager")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "read-repair must be off, async or blocking, not `eager`"
        );
    }

    #[test]
    fn hinted_handoff_is_a_setting() {
        let c = Config::default()
            .with_settings("hinted-handoff=on,read-repair=async")
            .unwrap();
        assert!(c.hinted_handoff);
        assert_eq!(
            c.settings(),
            "n=3,r=2,w=2,read-repair=async,hinted-handoff=on"
        );
        let off = c.with_settings("hinted-handoff=off").unwrap();
        assert!(!off.hinted_handoff);
        let err = Config::default()
            .with_settings("hinted-handoff=yes")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "hinted-handoff must be on or off, not `yes`");
    }

    #[test]
    fn anti_entropy_is_a_setting() {
        let c = Config::default()
            .with_settings("ae=merkle,ae-period=40")
            .unwrap();
        let ae = AntiEntropy {
            mode: AeMode::Merkle,
            period: 40,
        };
        assert_eq!(c.anti_entropy, ae);
        assert_eq!(c.settings(), "n=3,r=2,w=2,ae=merkle,ae-period=40");
        let back = Config::default().with_settings(&c.settings()).unwrap();
        assert_eq!(back, c, "the settings text round-trips");
        let digest = Config::default().with_settings("ae=digest,ae-period=20");
        assert_eq!(digest.unwrap(), Config::default(), "the defaults");
        for mode in AeMode::ALL {
            assert_eq!(AeMode::parse(mode.word()), Some(mode));
        }
        let err = |text: &str| {
            Config::default()
                .with_settings(text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("ae=gossip"),
            "ae must be digest or merkle, not `gossip`"
        );
        assert_eq!(
            err("ae-period=0"),
            "ae-period must be from 1 to 10000 ticks, not 0"
        );
        assert_eq!(
            err("ae-period=10001"),
            "ae-period must be from 1 to 10000 ticks, not 10001"
        );
        assert_eq!(
            err("ae-period=soon"),
            "setting `ae-period`: `soon` is not a whole number"
        );
    }
}
