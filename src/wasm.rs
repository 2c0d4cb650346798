//! The playground's JavaScript API (wasm32 only): one `Playground` handle
//! around a [`Session`]. No protocol logic lives here: each method parses
//! its arguments, calls the session or [`crate::view`], and hands back a
//! plain value or a JS `Error` with a clear message.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::classic::testcase::clip;
use crate::classic::{self, dbglog, grader};
use crate::measure::staleness::{self, Delays};
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, Level};
use crate::protocol::op::OpKind;
use crate::protocol::settings::{Kind, LinkField, Max, OptionValue, Setting, Value, SETTINGS};
use crate::scenario::limits::{MAX_LINK_PEERS, MAX_TICK};
use crate::scenario::selection::Selection;
use crate::scenario::{self, Action, Session, Setup};
use crate::sim::cluster::MAX_LOSS;
use crate::sim::network::MAX_DELAY;
use crate::view;

/// The most seeds `Playground.staleness` measures at once (each is a whole
/// simulated cluster: keep the page responsive).
const MAX_STALENESS_SEEDS: u64 = 16;

/// The largest message number `dropMessage` takes: JavaScript numbers are
/// exact up to 2^53.
const MAX_SAFE_SEQ: u64 = 1 << 53;

/// Options of `new Playground(options)` other than the settings of
/// [`SETTINGS`] (read by their JS names, see [`setting_option`]).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    peers: Option<u32>,
    /// A number or a BigInt, checked by [`seed_of`] (serde's own error for
    /// a BigInt out of range names no option).
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    seed: JsValue,
    preset: Option<String>,
    timings: Option<TimingOptions>,
    trace_messages: Option<bool>,
}

/// Protocol timings, each optional (defaults otherwise).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TimingOptions {
    fanout: Option<u32>,
    t_fail: Option<u64>,
    t_remove: Option<u64>,
    join_retry: Option<u64>,
    op_timeout: Option<u64>,
    orphan_hold: Option<u64>,
}

/// Any option value, kept as it is: only its name is checked by
/// [`check_names`] (serde-wasm-bindgen only reads the fields a struct
/// names, so unknown ones would be silently ignored without it; a number
/// out of range is the option's own error, with its own message).
#[derive(Deserialize)]
struct Any(#[serde(with = "serde_wasm_bindgen::preserve")] JsValue);

/// The options by name; refuses option names it does not know.
fn check_names(options: &JsValue) -> Result<BTreeMap<String, Any>, JsError> {
    let mut top = vec!["peers", "seed", "preset", "timings"];
    for s in &SETTINGS {
        let name = s.js_group.unwrap_or(s.js);
        if !top.contains(&name) {
            top.push(name);
        }
    }
    top.push("traceMessages");
    const TIMINGS: [&str; 6] = [
        "fanout",
        "tFail",
        "tRemove",
        "joinRetry",
        "opTimeout",
        "orphanHold",
    ];
    let bad = |e: serde_wasm_bindgen::Error| error(format!("bad options: {e}"));
    let names: BTreeMap<String, Any> =
        serde_wasm_bindgen::from_value(options.clone()).map_err(bad)?;
    // An option set to `undefined` is as good as absent.
    let unknown = |names: &BTreeMap<String, Any>, known: &[&str], what: &str| match names
        .iter()
        .find(|(n, v)| !v.0.is_undefined() && !known.contains(&n.as_str()))
        .map(|(n, _)| n)
    {
        Some(n) => Err(error(format!(
            "unknown {what} `{n}` (known: {})",
            known.join(", ")
        ))),
        None => Ok(()),
    };
    unknown(&names, &top, "option")?;
    if let Some(timings) = names.get("timings").filter(|t| t.0.is_object()) {
        let timings: BTreeMap<String, Any> =
            serde_wasm_bindgen::from_value(timings.0.clone()).map_err(bad)?;
        unknown(&timings, &TIMINGS, "timing")?;
    }
    for (group, value) in names.iter().filter(|(_, v)| v.0.is_object()) {
        let members: Vec<&str> = SETTINGS
            .iter()
            .filter(|s| s.js_group == Some(group.as_str()))
            .map(|s| s.js)
            .collect();
        if !members.is_empty() {
            let inner: BTreeMap<String, Any> =
                serde_wasm_bindgen::from_value(value.0.clone()).map_err(bad)?;
            unknown(&inner, &members, "option")?;
        }
    }
    Ok(names)
}

/// The value of setting `s` in the options object, if given (not
/// `undefined` or `null`): at `options[s.js]`, or in its group object.
fn setting_option(options: &BTreeMap<String, Any>, s: &Setting) -> Option<OptionValue> {
    let given = |v: &&Any| !v.0.is_undefined() && !v.0.is_null();
    let value = match s.js_group {
        Some(group) => {
            let object = options.get(group).filter(given)?;
            let inner: BTreeMap<String, Any> =
                serde_wasm_bindgen::from_value(object.0.clone()).ok()?;
            inner.get(s.js).filter(given)?.0.clone()
        }
        None => options.get(s.js).filter(given)?.0.clone(),
    };
    Some(if let Some(n) = value.as_f64() {
        OptionValue::Number(n)
    } else if let Some(b) = value.as_bool() {
        OptionValue::Bool(b)
    } else {
        OptionValue::Text(value.as_string().unwrap_or_else(|| format!("{value:?}")))
    })
}

/// A setting of the schema as `Playground.settingsSchema()` gives it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SchemaSetting {
    name: &'static str,
    js: &'static str,
    group: Option<&'static str>,
    flag: &'static str,
    link: &'static str,
    title: &'static str,
    doc: &'static str,
    kind: &'static str,
    min: Option<u64>,
    max: Option<u64>,
    max_is_n: bool,
    choices: &'static [&'static str],
    default: DefaultValue,
}

/// A setting's default, as a JS number, string or boolean.
#[derive(Serialize)]
#[serde(untagged)]
enum DefaultValue {
    Whole(u64),
    Word(&'static str),
    Switch(bool),
}

impl SchemaSetting {
    fn of(s: &Setting) -> SchemaSetting {
        let (kind, min, max, max_is_n) = match s.kind {
            Kind::Whole { min, max, .. } => match max {
                Max::Const(max) => ("whole", Some(min), Some(max), false),
                Max::N => ("whole", Some(min), None, true),
            },
            Kind::Choice(_) => ("choice", None, None, false),
            Kind::Switch => ("switch", None, None, false),
        };
        let link = match s.link {
            LinkField::Group { field, .. } | LinkField::Own { field, .. } => field,
            LinkField::Timings(_) => "t",
        };
        SchemaSetting {
            name: s.name,
            js: s.js,
            group: s.js_group,
            flag: s.flag,
            link,
            title: s.title,
            doc: s.doc,
            kind,
            min,
            max,
            max_is_n,
            choices: s.words(),
            default: match s.default_value() {
                Value::Whole(n) => DefaultValue::Whole(n),
                Value::Word(w) => DefaultValue::Word(w),
                Value::Switch(on) => DefaultValue::Switch(on),
            },
        }
    }
}

/// What `Playground.settingsSchema()` gives.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schema {
    settings: Vec<SchemaSetting>,
    limits: Limits,
}

/// The limits the page bounds its fields with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Limits {
    /// The largest cluster the page may start.
    max_peers: u32,
    /// The peers the page starts with.
    default_peers: u32,
    /// The longest delay a link may be given, in ticks.
    max_delay: u64,
    /// The largest loss a link may be given, in percent.
    max_loss: u8,
    /// The largest seed, as text (it does not fit a JavaScript number).
    max_seed: String,
}

/// The peers of a cluster the options do not size.
const DEFAULT_PEERS: u32 = 10;

fn error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(error)
}

fn peer_id(address: &str) -> Result<PeerId, JsError> {
    PeerId::parse_address(address)
        .ok_or_else(|| JsError::new(&format!("`{address}` is not a peer address like 1.0.0.0:0")))
}

/// `n` as a whole number in `range`, or an error naming `what`.
fn whole(n: f64, what: &str, range: RangeInclusive<u64>) -> Result<u64, JsError> {
    let (low, high) = (*range.start(), *range.end());
    if n.fract() == 0.0 && n >= low as f64 && n <= high as f64 {
        Ok(n as u64)
    } else {
        Err(error(format!(
            "{what} is a whole number from {low} to {high}, not {n}"
        )))
    }
}

fn undefined() -> JsValue {
    JsValue::UNDEFINED
}

/// The `seed` option: 1 when absent, else a whole number from 0 to
/// `u64::MAX` given as a number (exact up to 2^53) or a BigInt.
fn seed_of(seed: &JsValue) -> Result<u64, JsError> {
    const BAD: &str = "seed must be a whole number from 0 to 18446744073709551615";
    if seed.is_undefined() || seed.is_null() {
        return Ok(1);
    }
    if seed.is_bigint() {
        return u64::try_from(seed.clone()).map_err(|_| error(BAD));
    }
    match seed.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&n) => Ok(n as u64),
        _ => Err(error(BAD)),
    }
}

/// The options of [`Playground::select`].
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectOptions {
    peer: Option<String>,
    key: Option<String>,
    trans: Option<f64>,
}

/// A simulated cluster the page drives.
#[wasm_bindgen]
pub struct Playground {
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// `new Playground({peers, seed, preset, timings, replication: {n, r, w},
    /// readRepair, vnodes, hintedHandoff, antiEntropy, aePeriod,
    /// traceMessages})`; every field is optional (10 peers, seed 1, default
    /// timings, N = 3, R = W = 2, no read repair, 1 token per peer, no hinted
    /// handoff, digest anti-entropy every 20 ticks).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Playground, JsError> {
        let (o, names): (Options, _) = if options.is_undefined() || options.is_null() {
            (Options::default(), BTreeMap::new())
        } else {
            let names = check_names(&options)?;
            let o = serde_wasm_bindgen::from_value(options)
                .map_err(|e| error(format!("bad options: {e}")))?;
            (o, names)
        };
        let seed = seed_of(&o.seed)?;
        let mut setup = match &o.preset {
            Some(name) => {
                let setup = Setup::preset(name, seed).map_err(error)?;
                if let Some(peers) = o.peers.filter(|&p| p != setup.peers) {
                    return Err(error(format!(
                        "preset {name} has {} peers, not {peers}: leave peers out",
                        setup.peers
                    )));
                }
                setup
            }
            None => Setup::new(o.peers.unwrap_or(DEFAULT_PEERS), seed),
        };
        if let Some(t) = o.timings {
            let d = Config::default();
            let m = d.membership;
            setup.config.membership.fanout = t.fanout.unwrap_or(m.fanout);
            setup.config.membership.t_fail = t.t_fail.unwrap_or(m.t_fail);
            setup.config.membership.t_remove = t.t_remove.unwrap_or(m.t_remove);
            setup.config.membership.join_retry = t.join_retry.unwrap_or(m.join_retry);
            setup.config.op_timeout = t.op_timeout.unwrap_or(d.op_timeout);
            setup.config.store.orphan_hold = t.orphan_hold.unwrap_or(d.store.orphan_hold);
        }
        setup.config = setup
            .config
            .with_options(|s| setting_option(&names, s))
            .map_err(error)?;
        let session = Session::new(setup, o.trace_messages.unwrap_or(false)).map_err(error)?;
        Ok(Playground { session })
    }

    /// The settings schema and the page's limits: `{settings: [{name, js,
    /// group, flag, link, title, doc, kind ("whole", "choice" or
    /// "switch"), min, max, maxIsN, choices, default}], limits: {maxPeers,
    /// defaultPeers, maxDelay, maxLoss, maxSeed}}`, settings in the order of the settings
    /// text.
    /// What replication `n`, `r`, `w` promise, in words, before they are
    /// applied (the settings panel's explanation); empty unless all three
    /// are whole numbers from 0 to 2³² − 1.
    #[wasm_bindgen(js_name = explainReplication)]
    pub fn explain_replication(n: f64, r: f64, w: f64) -> String {
        let whole = |x: f64| {
            (x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x)).then_some(x as u32)
        };
        match (whole(n), whole(r), whole(w)) {
            (Some(n), Some(r), Some(w)) => view::explain_replication(n, r, w),
            _ => String::new(),
        }
    }

    #[wasm_bindgen(js_name = settingsSchema)]
    pub fn settings_schema() -> Result<JsValue, JsError> {
        to_js(&Schema {
            settings: SETTINGS.iter().map(SchemaSetting::of).collect(),
            limits: Limits {
                max_peers: MAX_LINK_PEERS,
                default_peers: DEFAULT_PEERS,
                max_delay: MAX_DELAY,
                max_loss: MAX_LOSS,
                max_seed: u64::MAX.to_string(),
            },
        })
    }

    /// Replays a share link (a whole address or its fragment).
    #[wasm_bindgen(js_name = fromLink)]
    pub fn from_link(link: &str, trace_messages: bool) -> Result<Playground, JsError> {
        let session = Session::from_link(link, trace_messages).map_err(error)?;
        Ok(Playground { session })
    }

    /// Replays a share link, recording every message when it has at most
    /// `peers` peers (the page traces small clusters only).
    #[wasm_bindgen(js_name = fromLinkTracedUpTo)]
    pub fn from_link_traced_up_to(link: &str, peers: f64) -> Result<Playground, JsError> {
        let peers = whole(peers, "a number of peers", 0..=u64::from(u32::MAX))?;
        let size = scenario::link_peers(link).map_err(error)?;
        Playground::from_link(link, u64::from(size) <= peers)
    }

    /// How the scenario started and what is selected: `{peers, seed (a
    /// decimal string), preset, peer, key, trans}`.
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        to_js(&view::scenario(&self.session))
    }

    /// Selects what the link restores: `{peer (an address), key, trans}`,
    /// each optional (absent or null selects nothing of that kind).
    pub fn select(&mut self, selection: JsValue) -> Result<(), JsError> {
        let s: SelectOptions = if selection.is_undefined() || selection.is_null() {
            SelectOptions::default()
        } else {
            serde_wasm_bindgen::from_value(selection)
                .map_err(|e| error(format!("bad selection: {e}")))?
        };
        let peer = s.peer.as_deref().map(peer_id).transpose()?;
        let trans = s
            .trans
            .map(|t| whole(t, "trans", 0..=u64::from(u32::MAX)))
            .transpose()?;
        self.session
            .select(Selection {
                peer,
                key: s.key,
                trans,
            })
            .map_err(error)
    }

    /// Runs up to `n` ticks; returns how many ran (fewer at the last tick a
    /// link can replay). Before the horizon it replays the recorded future
    /// (it does not fork).
    pub fn step(&mut self, n: f64) -> Result<f64, JsError> {
        let n = whole(n, "a number of ticks to step", 0..=MAX_TICK)?;
        Ok(self.session.step(n) as f64)
    }

    /// Shows tick `tick`, from 0 to [`Playground::horizon`], exactly as a
    /// fresh replay of the link cut at that tick would; the actions after
    /// it stay recorded until the next action forks the run.
    pub fn seek(&mut self, tick: f64) -> Result<(), JsError> {
        let tick = whole(tick, "a tick to seek", 0..=self.session.horizon())?;
        self.session.seek(tick).map_err(error)
    }

    /// Goes back `n` ticks (to tick 0 at most); returns the tick shown.
    pub fn back(&mut self, n: f64) -> Result<f64, JsError> {
        let n = whole(n, "a number of ticks", 0..=MAX_TICK)?;
        let now = self.session.sim().now();
        self.session.seek(now - n.min(now)).map_err(error)?;
        Ok(self.tick())
    }

    /// The furthest tick reached: [`Playground::seek`] goes to any tick
    /// from 0 to this one.
    pub fn horizon(&self) -> f64 {
        self.session.horizon() as f64
    }

    /// The tick that runs next.
    pub fn tick(&self) -> f64 {
        self.session.sim().now() as f64
    }

    /// Fails a live peer, by address.
    pub fn fail(&mut self, address: &str) -> Result<(), JsError> {
        self.act(Action::Fail(peer_id(address)?))
    }

    /// Restarts a failed peer, empty; it rejoins through the introducer.
    pub fn recover(&mut self, address: &str) -> Result<(), JsError> {
        self.act(Action::Recover(peer_id(address)?))
    }

    /// Splits the network: the peers at `addresses` on one side, the rest
    /// on the other, until [`Playground::heal`].
    pub fn partition(&mut self, addresses: Vec<String>) -> Result<(), JsError> {
        if addresses.is_empty() {
            return Err(error("a partition needs at least one peer on its side"));
        }
        let mut side = Vec::with_capacity(addresses.len());
        for address in &addresses {
            let id = peer_id(address)?;
            if side.contains(&id) {
                return Err(error(format!("{address} appears twice in the partition")));
            }
            side.push(id);
        }
        if !self.session.sim().partition_cuts_new_links(&side) {
            let everyone = side.len() == self.session.sim().peer_count() as usize;
            return Err(error(match (addresses.as_slice(), everyone) {
                (_, true) => "a partition needs peers on both sides, and every peer is on this one"
                    .to_string(),
                ([one], false) => format!(
                    "{one} cannot reach any other peer already: isolating it again cuts nothing"
                ),
                (many, false) => format!(
                    "these {} peers cannot reach any other peer already: this partition cuts nothing new",
                    many.len()
                ),
            }));
        }
        self.act(Action::Partition(side))
    }

    /// Restores the whole network: partitions, losses and delays.
    pub fn heal(&mut self) -> Result<(), JsError> {
        self.act(Action::Heal)
    }

    /// Loses `percent` % of messages at random: on the directed link
    /// `from` → `to`, or on every link when both are left out.
    pub fn loss(
        &mut self,
        percent: f64,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<(), JsError> {
        let percent = whole(percent, "a loss in percent", 0..=100)? as u8;
        let link = match (from.as_deref(), to.as_deref()) {
            (None, None) => None,
            (Some(from), Some(to)) => Some((peer_id(from)?, peer_id(to)?)),
            _ => return Err(error("a loss on one link needs both `from` and `to`")),
        };
        self.act(Action::Loss { link, percent })
    }

    /// Makes messages on the directed link `from` → `to` take `ticks`
    /// ticks (1 to 100), until [`Playground::heal`].
    pub fn delay(&mut self, from: &str, to: &str, ticks: f64) -> Result<(), JsError> {
        let (from, to) = (peer_id(from)?, peer_id(to)?);
        let ticks = whole(ticks, "a delay in ticks", 1..=MAX_DELAY)?;
        self.act(Action::Delay { from, to, ticks })
    }

    /// Loses the message in flight whose send order is `seq` (a ring
    /// message's or a transaction message's `seq`): it never arrives.
    /// Recorded like a fault, so the share link replays it.
    #[wasm_bindgen(js_name = dropMessage)]
    pub fn drop_message(&mut self, seq: f64) -> Result<(), JsError> {
        self.act(Action::Drop(whole(
            seq,
            "a message number",
            0..=MAX_SAFE_SEQ,
        )?))
    }

    fn act(&mut self, action: Action) -> Result<(), JsError> {
        self.session
            .act_shareably(action)
            .map(|_| ())
            .map_err(error)
    }

    /// Creates `key` = `value`; returns the transaction id. The coordinator
    /// is the peer at `coordinator`, or a random live one; `level` (`one`,
    /// `quorum` or `all`, quorum when left out) says how many replicas it
    /// waits for. The same holds for read, update and delete.
    pub fn create(
        &mut self,
        key: &str,
        value: &str,
        coordinator: Option<String>,
        level: Option<String>,
    ) -> Result<f64, JsError> {
        self.request(OpKind::Create, key, Some(value), coordinator, level)
    }

    /// Reads `key`; returns the transaction id.
    pub fn read(
        &mut self,
        key: &str,
        coordinator: Option<String>,
        level: Option<String>,
    ) -> Result<f64, JsError> {
        self.request(OpKind::Read, key, None, coordinator, level)
    }

    /// Updates `key` to `value`; returns the transaction id.
    pub fn update(
        &mut self,
        key: &str,
        value: &str,
        coordinator: Option<String>,
        level: Option<String>,
    ) -> Result<f64, JsError> {
        self.request(OpKind::Update, key, Some(value), coordinator, level)
    }

    /// Deletes `key`; returns the transaction id.
    pub fn delete(
        &mut self,
        key: &str,
        coordinator: Option<String>,
        level: Option<String>,
    ) -> Result<f64, JsError> {
        self.request(OpKind::Delete, key, None, coordinator, level)
    }

    fn request(
        &mut self,
        op: OpKind,
        key: &str,
        value: Option<&str>,
        coordinator: Option<String>,
        level: Option<String>,
    ) -> Result<f64, JsError> {
        let coordinator = match coordinator.as_deref() {
            None | Some("") => None,
            Some(address) => Some(peer_id(address)?),
        };
        let level = match level.as_deref() {
            None | Some("") => Level::Quorum,
            Some(word) => Level::parse(word).ok_or_else(|| {
                error(format!(
                    "a consistency level is one, quorum or all, not `{}`",
                    clip(word)
                ))
            })?,
        };
        let trans = self
            .session
            .request(op, key, value, coordinator, level)
            .map_err(error)?;
        Ok(trans as f64)
    }

    /// The ring: peers, keys, up to `max_messages` messages in flight, and
    /// the health counters.
    pub fn ring(&self, max_messages: f64) -> Result<JsValue, JsError> {
        let most = whole(
            max_messages,
            "a number of messages",
            0..=u64::from(u32::MAX),
        )?;
        to_js(&view::ring(&self.session, most as usize))
    }

    /// The network faults other than partitions: `{loss, links: [{from,
    /// to, loss, delay}]}`, the percent lost on every link and each directed
    /// link (addresses) with a loss or delay of its own, until heal.
    pub fn links(&self) -> Result<JsValue, JsError> {
        to_js(&view::links(&self.session))
    }

    /// One peer in detail: membership list, stored keys, counters.
    pub fn peer(&self, address: &str) -> Result<JsValue, JsError> {
        let id = peer_id(address)?;
        let detail = view::peer(&self.session, id)
            .ok_or_else(|| error(format!("no peer {address} in this cluster")))?;
        to_js(&detail)
    }

    /// The events from index `since` on, at most `limit`.
    pub fn events(&self, since: f64, limit: f64) -> Result<JsValue, JsError> {
        let since = whole(since, "an event index", 0..=u64::from(u32::MAX))?;
        let limit = whole(limit, "a number of events", 0..=u64::from(u32::MAX))?;
        to_js(&view::events(&self.session, since as usize, limit as usize))
    }

    /// The newest `limit` events from tick `from` on, newest first, of peer
    /// `peer` (an address, or empty for every peer) and kind `kind` (`""`
    /// all but messages, `"*"` all, or one kind: `join`, `send`, …; another
    /// name is refused): what the event log shows.
    #[wasm_bindgen(js_name = recentEvents)]
    pub fn recent_events(
        &self,
        peer: &str,
        kind: &str,
        from: f64,
        limit: u32,
    ) -> Result<JsValue, JsError> {
        let peer = (!peer.is_empty()).then(|| peer_id(peer)).transpose()?;
        let filter: view::EventFilter = kind.parse().map_err(error)?;
        let from = whole(from.max(0.0), "from", 0..=MAX_TICK)?;
        to_js(&view::recent_events(
            &self.session,
            peer,
            filter,
            from,
            limit as usize,
        ))
    }

    /// How many events there are so far.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> u32 {
        self.session.log().len() as u32
    }

    /// A transaction: the replicas' answers and the quorum decision.
    pub fn transaction(&self, trans: f64) -> Result<JsValue, JsError> {
        match view::transaction(&self.session, trans as u64) {
            Some(t) => to_js(&t),
            None => Err(error(format!("no transaction {trans}"))),
        }
    }

    /// The client history so far, one row per operation in invocation
    /// order: `[{trans, key, op, coordinator, invoked, completed, outcome,
    /// reason, value, version, indeterminate}]`.
    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(&view::history(&self.session))
    }

    /// Checks the history so far (and the end state, once quiet):
    /// `{keys, anomalies, findings, endChecked, mustBeZero}`.
    pub fn check(&self) -> Result<JsValue, JsError> {
        to_js(&view::check(&self.session))
    }

    /// The `dbg.log` so far.
    #[wasm_bindgen(js_name = dbgLog)]
    pub fn dbg_log(&self) -> String {
        dbglog::render(self.session.log().events())
    }

    /// Every setting of this cluster: `{n, r, w, vnodes, readRepair,
    /// hintedHandoff, antiEntropy, aePeriod, text}`, where `text` is the
    /// settings text, e.g. `n=3,r=2,w=2,vnodes=64,hinted-handoff=on` (N, R
    /// and W, then every other setting that is not its default).
    pub fn settings(&self) -> Result<JsValue, JsError> {
        to_js(&view::settings(&self.session.sim().options().config))
    }

    /// The staleness curve (Probabilistically Bounded Staleness) of the
    /// settings text `settings` with link delays `low..=high` ticks, over
    /// seeds `0..seeds` (1 to 16): `{config, delays, seeds, points: [{t, p,
    /// reads, fresh}]}`, p(t) for t = 0, 1, … until it stays 1. Each seed is
    /// a cluster of 8 peers; the same arguments give the same curve as
    /// `ftkv staleness`.
    pub fn staleness(settings: &str, low: f64, high: f64, seeds: f64) -> Result<JsValue, JsError> {
        if settings.len() > 200 {
            return Err(error("the settings text is longer than 200 characters"));
        }
        let config = Config::default().with_settings(settings).map_err(error)?;
        let low = whole(low, "the shortest delay in ticks", 1..=MAX_DELAY)?;
        let high = whole(high, "the longest delay in ticks", 1..=MAX_DELAY)?;
        let delays = Delays::parse(&format!("{low}..{high}")).map_err(error)?;
        let seeds = whole(seeds, "seeds", 1..=MAX_STALENESS_SEEDS)?;
        to_js(&staleness::curve(&config, delays, seeds).map_err(error)?)
    }

    /// The share link fragment (without `#`) of the scenario now.
    #[wasm_bindgen(js_name = shareLink)]
    pub fn share_link(&self) -> String {
        self.session.link()
    }

    /// A preset's grade so far, or `null` without a preset.
    pub fn grade(&self) -> Result<JsValue, JsError> {
        match view::grade(&self.session) {
            Some(g) => to_js(&g),
            None => Ok(JsValue::NULL),
        }
    }

    /// A preset's guide, or `null` without a preset: `{ test, keys,
    /// steps: [{ tick, caption, expect, checks }], next, finished,
    /// continuesFreely }` (see `view::GuideView`).
    pub fn guide(&self) -> Result<JsValue, JsError> {
        match view::guide(&self.session) {
            Some(g) => to_js(&g),
            None => Ok(JsValue::NULL),
        }
    }

    /// Lets a preset that reached its end go on as a free run with the
    /// same peers (the share link records it as `free=700`); an error
    /// without a preset or before its end.
    #[wasm_bindgen(js_name = continueFree)]
    pub fn continue_free(&mut self) -> Result<(), JsError> {
        self.session.continue_free().map_err(error)
    }

    /// The run from tick 0 to the horizon in at most `buckets` buckets:
    /// `{ tick, horizon, every, from, until, failed, underReplicated,
    /// belowQuorum, inFlight, ok, fail, pending }` (see `view::SeriesView`).
    pub fn series(&self, buckets: f64) -> Result<JsValue, JsError> {
        let buckets = whole(buckets, "a number of buckets", 0..=u64::from(u32::MAX))?;
        to_js(&view::series(&self.session, buckets as u32))
    }

    /// The presets (the classic test cases), in grader order:
    /// `[{ name, keyValue }]`, key-value tests first.
    pub fn presets() -> Result<JsValue, JsError> {
        let presets: Vec<Preset> = classic::CASES
            .iter()
            .enumerate()
            .map(|(i, name)| Preset {
                name,
                key_value: i < classic::KEY_VALUE_CASES,
            })
            .collect();
        to_js(&presets)
    }

    /// Adds the checksum to a hand-written link body (`v=1&peers=...`), so
    /// tools can compose scenarios; the link is still checked in full when
    /// opened.
    pub fn seal(body: &str) -> String {
        crate::scenario::seal(body)
    }

    /// Runs classic test case `name` with `seed` to the end at once and
    /// returns `{grade, log}`.
    #[wasm_bindgen(js_name = runClassic)]
    pub fn run_classic(name: &str, seed: u64) -> Result<JsValue, JsError> {
        let test = classic::builtin(name)
            .ok_or_else(|| error(format!("no classic test case `{name}`")))?;
        let log = classic::run(&test, seed).map_err(error)?;
        let g = grader::grade(&test, log.events());
        to_js(&ClassicRun {
            test: g.test.clone(),
            points: g.points(),
            max: g.max(),
            log: dbglog::render(log.events()),
        })
    }
}

/// One entry of `Playground.presets()`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Preset {
    name: &'static str,
    key_value: bool,
}

/// What `Playground.runClassic` returns.
#[derive(Serialize)]
struct ClassicRun {
    test: String,
    points: u32,
    max: u32,
    log: String,
}
