//! The classic `testcases/*.conf` files: parsing and validation.
//!
//! A file is `KEY: value` lines; blank lines and `#` comments are skipped.
//! `MAX_NNB` is required; the others have the classic defaults
//! (`SINGLE_FAILURE: 1`, `DROP_MSG: 0`, `MSG_DROP_PROB: 0.1`). Anything
//! malformed is an error naming the file, the line and the problem — never a
//! silent default.

use std::fmt;
use std::path::Path;

use crate::protocol::config::MAX_PEERS;
use crate::protocol::op::OpKind;

/// A read or update test fails 4 peers and still needs 3 live replicas and
/// a live non-replica.
const MIN_PEERS_READ_UPDATE: u32 = 7;

/// One classic test case, as read from a `.conf` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Testcase {
    /// `MAX_NNB`: the number of peers.
    pub peers: u32,
    /// `SINGLE_FAILURE`: membership tests fail one peer (true) or half (false).
    pub single_failure: bool,
    /// `DROP_MSG`: drop messages at random between ticks 50 and 300.
    pub drop_msg: bool,
    /// `MSG_DROP_PROB`: the drop probability while dropping is on.
    pub drop_prob: f64,
    /// `CRUD_TEST`: the key-value test to run; `None` for a membership test.
    pub crud: Option<OpKind>,
}

impl Testcase {
    /// Reads and parses a `.conf` file.
    pub fn load(path: &Path) -> Result<Testcase, ConfError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ConfError {
            file: name.clone(),
            line: None,
            problem: format!("cannot read: {e}"),
        })?;
        parse(&name, &bytes)
    }

    /// Whether this is a membership test (no `CRUD_TEST`).
    pub fn is_membership(&self) -> bool {
        self.crud.is_none()
    }
}

/// Why a `.conf` file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfError {
    /// The file, as named to `parse`.
    pub file: String,
    /// The 1-based line at fault, if one is.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.problem),
            None => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for ConfError {}

const KEYS: [&str; 5] = [
    "MAX_NNB",
    "SINGLE_FAILURE",
    "DROP_MSG",
    "MSG_DROP_PROB",
    "CRUD_TEST",
];

/// Parses the bytes of a `.conf` file; `name` names it in errors.
pub(crate) fn parse(name: &str, bytes: &[u8]) -> Result<Testcase, ConfError> {
    let err = |line: Option<usize>, problem: String| ConfError {
        file: name.to_owned(),
        line,
        problem,
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(err(
            Some(1),
            "the file starts with a UTF-8 byte-order mark: save it without one".into(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        err(Some(line), "not valid UTF-8".into())
    })?;
    // (line number, value) of each key seen, in KEYS order.
    let mut seen: [Option<(usize, &str)>; 5] = [None; 5];
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(err(
                Some(line),
                format!("expected `KEY: value`, found `{}`", clip(trimmed)),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let Some(slot) = KEYS.iter().position(|&k| k == key) else {
            return Err(err(
                Some(line),
                format!("unknown key `{}` (known: {})", clip(key), KEYS.join(", ")),
            ));
        };
        if let Some((first, _)) = seen[slot] {
            return Err(err(
                Some(line),
                format!("{key} given twice (first on line {first})"),
            ));
        }
        if value.is_empty() {
            return Err(err(Some(line), format!("{key} has no value")));
        }
        seen[slot] = Some((line, value));
    }
    let field = |slot: usize| seen[slot];
    let Some((peers_line, peers_text)) = field(0) else {
        return Err(err(None, "missing MAX_NNB (the number of peers)".into()));
    };
    let peers = match peers_text.parse::<u32>() {
        Ok(n) if (1..=MAX_PEERS).contains(&n) => n,
        _ => {
            return Err(err(
                Some(peers_line),
                format!(
                    "MAX_NNB must be a whole number from 1 to {MAX_PEERS}, not `{}`",
                    clip(peers_text)
                ),
            ))
        }
    };
    let flag = |slot: usize, default: bool| match field(slot) {
        None => Ok(default),
        Some((_, "0")) => Ok(false),
        Some((_, "1")) => Ok(true),
        Some((line, v)) => Err(err(
            Some(line),
            format!("{} must be 0 or 1, not `{}`", KEYS[slot], clip(v)),
        )),
    };
    let single_failure = flag(1, true)?;
    let drop_msg = flag(2, false)?;
    let drop_prob = match field(3) {
        None => 0.1,
        Some((line, v)) => match v.parse::<f64>() {
            Ok(p) if p.is_finite() && (0.0..=1.0).contains(&p) && !v.starts_with('-') => p,
            _ => {
                return Err(err(
                    Some(line),
                    format!(
                        "MSG_DROP_PROB must be a number from 0 to 1, not `{}`",
                        clip(v)
                    ),
                ))
            }
        },
    };
    let crud = match field(4) {
        None => None,
        Some((line, v)) => Some(OpKind::parse(v).ok_or_else(|| {
            err(
                Some(line),
                format!(
                    "CRUD_TEST must be CREATE, READ, UPDATE or DELETE, not `{}`",
                    clip(v)
                ),
            )
        })?),
    };
    if matches!(crud, Some(OpKind::Read | OpKind::Update)) && peers < MIN_PEERS_READ_UPDATE {
        return Err(err(
            Some(peers_line),
            format!(
                "a {} test needs MAX_NNB of at least {MIN_PEERS_READ_UPDATE}: it fails 4 peers and then still needs 3 live replicas and a live non-replica",
                crud.map_or("", OpKind::upper)
            ),
        ));
    }
    if crud.is_none() && !single_failure && peers < 2 {
        return Err(err(
            Some(peers_line),
            "a multi-failure test (SINGLE_FAILURE: 0) fails half the peers and needs MAX_NNB of at least 2".into(),
        ));
    }
    Ok(Testcase {
        peers,
        single_failure,
        drop_msg,
        drop_prob,
        crud,
    })
}

/// At most 40 characters of untrusted text, for an error message.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn error(text: &str) -> ConfError {
        parse("t.conf", text.as_bytes()).unwrap_err()
    }

    fn fails_on(text: &str, line: Option<usize>, words: &str) {
        let e = error(text);
        assert_eq!(e.line, line, "{e}");
        assert!(e.problem.contains(words), "{e} should mention {words}");
        assert!(!e.to_string().contains('\n'), "one line: {e}");
    }

    #[test]
    fn defaults_comments_and_crlf() {
        let t = parse(
            "t.conf",
            b"# a comment\r\n\r\nMAX_NNB: 10\r\n  CRUD_TEST : read \r\n",
        )
        .unwrap();
        assert_eq!(
            t,
            Testcase {
                peers: 10,
                single_failure: true,
                drop_msg: false,
                drop_prob: 0.1,
                crud: Some(OpKind::Read),
            }
        );
        assert!(!t.is_membership());
    }

    #[test]
    fn every_malformed_line_is_named() {
        fails_on("", None, "missing MAX_NNB");
        fails_on("MAX_NNB 10", Some(1), "KEY: value");
        fails_on(
            "MAX_NNB: 10\nMAX_NODES: 3",
            Some(2),
            "unknown key `MAX_NODES`",
        );
        fails_on("max_nnb: 10", Some(1), "unknown key");
        fails_on(
            "MAX_NNB: 10\nMAX_NNB: 11",
            Some(2),
            "twice (first on line 1)",
        );
        fails_on("MAX_NNB:", Some(1), "no value");
        fails_on("MAX_NNB: 0", Some(1), "1 to 4096");
        fails_on("MAX_NNB: -3", Some(1), "1 to 4096");
        fails_on("MAX_NNB: 4097", Some(1), "1 to 4096");
        fails_on("MAX_NNB: 99999999999999999999", Some(1), "1 to 4096");
        fails_on("MAX_NNB: ten", Some(1), "1 to 4096");
        fails_on("MAX_NNB: 10\nSINGLE_FAILURE: 2", Some(2), "0 or 1");
        fails_on("MAX_NNB: 10\nDROP_MSG: yes", Some(2), "0 or 1");
        for bad in ["NaN", "inf", "-0.1", "1.5", "-0", "0.1.2"] {
            fails_on(
                &format!("MAX_NNB: 10\nMSG_DROP_PROB: {bad}"),
                Some(2),
                "0 to 1",
            );
        }
        fails_on(
            "MAX_NNB: 10\nCRUD_TEST: UPSERT",
            Some(2),
            "CREATE, READ, UPDATE or DELETE",
        );
        fails_on("MAX_NNB: 6\nCRUD_TEST: READ", Some(1), "at least 7");
        fails_on("MAX_NNB: 6\nCRUD_TEST: UPDATE", Some(1), "at least 7");
        fails_on("MAX_NNB: 1\nSINGLE_FAILURE: 0", Some(1), "at least 2");
    }

    #[test]
    fn non_utf8_names_its_line() {
        let e = parse("t.conf", b"MAX_NNB: 10\nCRUD_TEST: \xff\xfe\n").unwrap_err();
        assert_eq!(e.to_string(), "t.conf:2: not valid UTF-8");
    }

    #[test]
    fn long_hostile_values_are_clipped_in_errors() {
        let e = error(&format!("MAX_NNB: {}", "9".repeat(10_000)));
        assert!(e.to_string().len() < 200, "{e}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = Testcase::load(Path::new("/no/such/dir/x.conf")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/no/such/dir/x.conf: cannot read"),
            "{e}"
        );
    }

    #[test]
    fn the_seven_classic_files_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testcases");
        let load = |name: &str| Testcase::load(&dir.join(format!("{name}.conf"))).unwrap();
        for (name, op) in [
            ("create", OpKind::Create),
            ("delete", OpKind::Delete),
            ("read", OpKind::Read),
            ("update", OpKind::Update),
        ] {
            let t = load(name);
            assert_eq!(
                (t.peers, t.crud, t.drop_msg),
                (10, Some(op), false),
                "{name}"
            );
        }
        let membership = |single, drop| Testcase {
            peers: 10,
            single_failure: single,
            drop_msg: drop,
            drop_prob: 0.1,
            crud: None,
        };
        assert_eq!(load("singlefailure"), membership(true, false));
        assert_eq!(load("multifailure"), membership(false, false));
        assert_eq!(load("msgdropsinglefailure"), membership(true, true));
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse("fuzz.conf", &bytes);
        }

        #[test]
        fn parse_never_panics_on_lines(
            lines in proptest::collection::vec((0usize..6, ".{0,12}"), 0..8)
        ) {
            let text: String = lines
                .iter()
                .map(|(k, v)| format!("{}: {v}\n", KEYS.get(*k).copied().unwrap_or("JUNK")))
                .collect();
            if let Ok(t) = parse("fuzz.conf", text.as_bytes()) {
                prop_assert!((1..=MAX_PEERS).contains(&t.peers));
                prop_assert!((0.0..=1.0).contains(&t.drop_prob));
            }
        }
    }
}
