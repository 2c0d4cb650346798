//! The share link codec: the text of a URL fragment that replays a
//! scenario exactly.
//!
//! ```text
//! v=1&peers=10&seed=42&tick=350&do=120.fail.4;140.create.2.k%201.v
//! ```
//!
//! with optional `preset=read` (a classic test case driven on the ring),
//! `t=fanout.t_fail.t_remove.join_retry.op_timeout.orphan_hold` (non-default
//! timings, then `.push_retry.ae_period.tombstone_grace` when those differ),
//! the settings of [`crate::protocol::settings::SETTINGS`] that are not
//! their defaults, each where its [`LinkField`] says: `rep=N.R.W`,
//! `rr=async` or `rr=blocking` (read repair), `vn=V` (V tokens per peer on
//! the ring), `hh=on` (hinted handoff), `ae=merkle` (Merkle-tree
//! anti-entropy; its period is the `ae_period` of `t=`), then `free=700`
//! (a preset that reached its end went on as a free run there; shown from
//! that tick on, dropped by a fork before it), the actions
//! ([`crate::scenario::action`]), the view (see
//! [`crate::scenario::selection`]: `sel=P`, `key=K`, `tx=T`), and last
//! `&sum=` eight hex digits of the xxh3 hash of all that comes before, so a
//! truncated or mangled link is refused, not replayed as some other
//! scenario. Peers are numbered from 1 (peer `n` is the address of
//! `n - 1`, e.g. `4` is `4.0.0.0:0`); keys and values are percent-encoded.
//! A link is untrusted input: its size, cluster, length and action count are
//! bounded ([`crate::scenario::limits`]), and anything that does not parse
//! is an error that names it.

use xxhash_rust::xxh3::xxh3_64;

use crate::classic;
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, MembershipTimings, StoreTimings};
use crate::protocol::settings::{either, Kind, LinkField, Max, Setting, Value, SETTINGS};
use crate::scenario::action::{self, Timed};
use crate::scenario::error::LinkError;
use crate::scenario::limits::{MAX_ACTIONS, MAX_LINK_BYTES, MAX_LINK_PEERS, MAX_TICK};
use crate::scenario::selection::Selection;
use crate::scenario::setup::Setup;
use crate::scenario::text::unescape;
use crate::util::digits;

/// The length of the checksum field [`seal`] appends: `&sum=` and 8 hex digits.
pub(crate) const SUM_FIELD_BYTES: usize = "&sum=".len() + 8;

/// Appends the checksum field to the body of a link.
pub fn seal(body: &str) -> String {
    format!("{body}&sum={}", checksum(body))
}

fn checksum(body: &str) -> String {
    format!("{:08x}", xxh3_64(body.as_bytes()) & 0xffff_ffff)
}

/// The nine numbers of `t=`; the settings kept there (the anti-entropy
/// period) at their [`LinkField::Timings`] place.
fn timings(c: &Config) -> [u64; 9] {
    let (m, st) = (c.membership, c.store);
    let mut t = [
        u64::from(m.fanout),
        m.t_fail,
        m.t_remove,
        m.join_retry,
        c.op_timeout,
        st.orphan_hold,
        st.push_retry,
        0,
        st.tombstone_grace,
    ];
    for s in &SETTINGS {
        if let (LinkField::Timings(at), Value::Whole(n)) = (s.link, (s.get)(c)) {
            t[at] = n;
        }
    }
    t
}

fn dotted_numbers(numbers: &[u64]) -> String {
    let text: Vec<String> = numbers.iter().map(u64::to_string).collect();
    text.join(".")
}

/// The settings of a group field (`rep`), in their order in it.
fn group(field: &str) -> Vec<&'static Setting> {
    let mut members: Vec<(usize, &'static Setting)> = SETTINGS
        .iter()
        .filter_map(|s| match s.link {
            LinkField::Group { field: f, index } if f == field => Some((index, s)),
            _ => None,
        })
        .collect();
    members.sort_by_key(|&(index, _)| index);
    members.into_iter().map(|(_, s)| s).collect()
}

/// The link fields of `config`: `&t=…` and every setting that is not its
/// default, in [`SETTINGS`] order.
fn config_fields(config: &Config) -> String {
    let mut link = String::new();
    let (t, d) = (timings(config), timings(&Config::default()));
    if t != d {
        link.push_str(&format!("&t={}", dotted_numbers(&t[..6])));
        if t[6..] != d[6..] {
            link.push_str(&format!(".{}", dotted_numbers(&t[6..])));
        }
    }
    for s in &SETTINGS {
        let changed = |s: &Setting| (s.get)(config) != s.default_value();
        match s.link {
            LinkField::Group { field, index: 0 } => {
                let members = group(field);
                if members.iter().any(|m| changed(m)) {
                    let values: Vec<String> = members.iter().map(|m| m.text(config)).collect();
                    link.push_str(&format!("&{field}={}", values.join(".")));
                }
            }
            LinkField::Own { field, .. } if changed(s) => {
                link.push_str(&format!("&{field}={}", s.text(config)));
            }
            _ => {}
        }
    }
    link
}

/// The body of a link (no view, no checksum): how the run started, its
/// tick, where a preset went on as a free run, and the actions.
pub(crate) fn body(setup: &Setup, tick: u64, free: Option<u64>, actions: &[Timed]) -> String {
    let mut link = format!("v=1&peers={}&seed={}", setup.peers, setup.seed);
    if let Some(preset) = &setup.preset {
        link.push_str(&format!("&preset={preset}"));
    }
    link.push_str(&config_fields(&setup.config));
    link.push_str(&format!("&tick={tick}"));
    if let Some(free) = free {
        link.push_str(&format!("&free={free}"));
    }
    if !actions.is_empty() {
        let actions: Vec<String> = actions.iter().map(action::encode).collect();
        link.push_str("&do=");
        link.push_str(&actions.join(";"));
    }
    link
}

/// A parsed, not yet replayed, link.
pub(crate) struct Parsed {
    /// How the run starts.
    pub setup: Setup,
    /// The tick it shows.
    pub tick: u64,
    /// The actions, in order.
    pub actions: Vec<Timed>,
    /// The view.
    pub selection: Selection,
    /// The tick a preset went on from as a free run.
    pub free: Option<u64>,
}

/// The fields of a link other than the settings', in no particular order.
const FIELDS: [&str; 11] = [
    "v", "peers", "seed", "tick", "preset", "t", "do", "free", "sel", "key", "tx",
];

/// A link's fields by name, each at most once.
struct Fields<'a> {
    names: Vec<&'static str>,
    values: Vec<Option<&'a str>>,
}

impl<'a> Fields<'a> {
    fn read(fragment: &'a str) -> Result<Fields<'a>, LinkError> {
        let mut names: Vec<&'static str> = FIELDS.to_vec();
        for s in &SETTINGS {
            if let LinkField::Group { field, .. } | LinkField::Own { field, .. } = s.link {
                if !names.contains(&field) {
                    names.push(field);
                }
            }
        }
        let mut values = vec![None; names.len()];
        for part in fragment.split('&') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(LinkError::NotNameValue(part.to_owned()));
            };
            let Some(at) = names.iter().position(|&n| n == name) else {
                return Err(LinkError::UnknownField(name.to_owned()));
            };
            if values[at].replace(value).is_some() {
                return Err(LinkError::FieldTwice(name.to_owned()));
            }
        }
        Ok(Fields { names, values })
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        let at = self.names.iter().position(|&n| n == name)?;
        self.values[at]
    }

    /// The whole number in field `name`, at most `max`.
    fn number(&self, name: &'static str, max: u64) -> Result<u64, LinkError> {
        let Some(text) = self.get(name) else {
            return Err(LinkError::Missing(name));
        };
        match digits::parse::<u64>(text) {
            Ok(n) if n <= max => Ok(n),
            _ => Err(LinkError::BadNumber {
                field: name,
                max,
                text: text.to_owned(),
            }),
        }
    }
}

/// Parses and checks a link (the whole address or its fragment).
pub(crate) fn parse(text: &str) -> Result<Parsed, LinkError> {
    if text.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong(text.len()));
    }
    let fragment = text.split_once('#').map_or(text, |(_, f)| f).trim();
    if fragment.is_empty() {
        return Err(LinkError::Empty);
    }
    let Some((fragment, sum)) = fragment.rsplit_once("&sum=") else {
        return Err(LinkError::NoChecksum);
    };
    if sum != checksum(fragment) {
        return Err(LinkError::BadChecksum);
    }
    let fields = Fields::read(fragment)?;
    match fields.get("v") {
        Some("1") => {}
        Some(v) => return Err(LinkError::Version(v.to_owned())),
        None => return Err(LinkError::NoVersion),
    }
    let peers = fields.number("peers", u64::from(MAX_LINK_PEERS))? as u32;
    if peers == 0 {
        return Err(LinkError::NoPeers);
    }
    let seed = fields.number("seed", u64::MAX)?;
    let tick = fields.number("tick", MAX_TICK)?;
    let preset = fields.get("preset");
    let mut setup = match preset {
        Some(name) => Setup::preset(name, seed).map_err(LinkError::Preset)?,
        None => Setup::new(peers, seed),
    };
    if setup.peers != peers {
        return Err(LinkError::PresetPeers {
            name: preset.unwrap_or("").to_owned(),
            has: setup.peers,
            peers,
        });
    }
    if let Some(t) = fields.get("t") {
        setup.config = parse_timings(t)?;
    }
    parse_settings(&fields, &mut setup.config)?;
    let free = match fields.get("free") {
        None => None,
        Some(_) if preset.is_none() => return Err(LinkError::FreeWithoutPreset),
        Some(_) => match fields.number("free", MAX_TICK)? {
            t if t != classic::TICKS => return Err(LinkError::FreeNotAtEnd(t)),
            t if t > tick => return Err(LinkError::FreeAfterTick { free: t, tick }),
            t => Some(t),
        },
    };
    let mut actions = Vec::new();
    if let Some(list) = fields.get("do") {
        for (index, text) in list.split(';').enumerate() {
            if index >= MAX_ACTIONS {
                return Err(LinkError::TooManyActions);
            }
            actions.push(
                action::parse(text, peers).map_err(|error| LinkError::Action {
                    index: index + 1,
                    text: text.to_owned(),
                    error,
                })?,
            );
        }
    }
    let selection = Selection {
        peer: match fields.get("sel") {
            Some(_) => Some(PeerId(
                fields
                    .number("sel", u64::from(peers))?
                    .checked_sub(1)
                    .ok_or(LinkError::SelectFromOne)? as u32,
            )),
            None => None,
        },
        key: fields
            .get("key")
            .map(|k| unescape(k, "the selected key"))
            .transpose()?,
        trans: fields
            .get("tx")
            .map(|_| fields.number("tx", u64::MAX))
            .transpose()?,
    };
    Ok(Parsed {
        setup,
        tick,
        actions,
        selection,
        free,
    })
}

/// Reads the settings' fields into `config`, in [`SETTINGS`] order: a
/// group field at its first setting, each own field at its setting (the
/// settings kept in `t=` are read with it).
fn parse_settings(fields: &Fields, config: &mut Config) -> Result<(), LinkError> {
    for s in &SETTINGS {
        match s.link {
            LinkField::Group { field, index: 0 } => {
                if let Some(text) = fields.get(field) {
                    parse_group(field, text, config)?;
                }
            }
            LinkField::Own { field, what } => {
                if let Some(text) = fields.get(field) {
                    let value = match s.kind {
                        Kind::Whole { max, .. } => {
                            let max = match max {
                                Max::Const(max) => max,
                                Max::N => u64::from(config.replication.n),
                            };
                            Value::Whole(fields.number(field, max)?)
                        }
                        _ => s.parse(text, s.name).map_err(|_| LinkError::BadWord {
                            what,
                            text: text.to_owned(),
                            choices: either(s.words()),
                        })?,
                    };
                    let mut changed = *config;
                    (s.set)(&mut changed, value);
                    s.check(&changed).map_err(LinkError::Setting)?;
                    *config = changed;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads group field `field` (`rep=N.R.W`) into `config`; its settings are
/// checked together, as if the rest were the defaults.
fn parse_group(field: &str, text: &str, config: &mut Config) -> Result<(), LinkError> {
    let members = group(field);
    let fits = members
        .iter()
        .map(|m| match m.kind {
            Kind::Whole { fits, .. } => fits,
            _ => 0,
        })
        .min()
        .unwrap_or(0);
    let numbers = dotted(text, "replication N.R.W", fits)?;
    if numbers.len() != members.len() {
        return Err(LinkError::NotNrw(text.to_owned()));
    }
    let mut alone = Config::default();
    for (m, &n) in members.iter().zip(&numbers) {
        (m.set)(&mut alone, Value::Whole(n));
        (m.set)(config, Value::Whole(n));
    }
    members
        .iter()
        .try_for_each(|m| m.check(&alone))
        .map_err(LinkError::Replication)
}

/// The dot-separated whole numbers (each at most `fits`) of a link field,
/// or an error naming the field `what`.
fn dotted(text: &str, what: &'static str, fits: u64) -> Result<Vec<u64>, LinkError> {
    text.split('.')
        .map(|n| {
            digits::parse::<u64>(n)
                .and_then(|v| {
                    if v > fits {
                        Err(digits::NotWhole::TooLarge)
                    } else {
                        Ok(v)
                    }
                })
                .map_err(|why| LinkError::Dotted {
                    what,
                    text: text.to_owned(),
                    part: n.to_owned(),
                    why,
                })
        })
        .collect()
}

/// The configuration of `t=`: the timings, and the settings kept there.
fn parse_timings(text: &str) -> Result<Config, LinkError> {
    let numbers = dotted(text, "timings", u64::MAX)?;
    let mut t = timings(&Config::default());
    match numbers.len() {
        6 | 9 => t[..numbers.len()].copy_from_slice(&numbers),
        _ => return Err(LinkError::TimingCount(text.to_owned())),
    }
    let [fanout, t_fail, t_remove, join_retry, op_timeout, orphan_hold, push_retry, _, tombstone_grace] =
        t;
    let mut config = Config {
        membership: MembershipTimings {
            fanout: u32::try_from(fanout).map_err(|_| LinkError::FanoutTooLarge(fanout))?,
            t_fail,
            t_remove,
            join_retry,
        },
        op_timeout,
        store: StoreTimings {
            orphan_hold,
            push_retry,
            tombstone_grace,
        },
        ..Config::default()
    };
    for s in &SETTINGS {
        if let LinkField::Timings(at) = s.link {
            (s.set)(&mut config, Value::Whole(t[at]));
        }
    }
    Ok(config)
}

/// How many peers the scenario of link `text` has (the link checked as
/// it is for a replay, but not replayed).
pub fn peers(text: &str) -> Result<u32, LinkError> {
    parse(text).map(|parsed| parsed.setup.peers)
}
