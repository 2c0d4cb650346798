//! Keys and values in a share link: percent-encoded, all but letters,
//! digits and `-_~` escaped; decoding refuses a `%` that starts no escape
//! and bytes that are not UTF-8.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use std::fmt;

use crate::classic::testcase::clip;

/// The bytes escaped in a key or value: all but letters, digits and `-_~`.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Decodes `what`, percent-encoded in a link: every `%` starts an escape
/// of two hex digits, and the bytes are UTF-8.
pub(crate) fn unescape(text: &str, what: &'static str) -> Result<String, EscapeError> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().enumerate().position(|(i, &b)| {
        b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    }) {
        return Err(EscapeError::BadEscape {
            what,
            text: text.to_owned(),
            at,
        });
    }
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| EscapeError::NotUtf8(what))
}

/// A key or value percent-encoded for a link.
pub(crate) fn escape(text: &str) -> String {
    utf8_percent_encode(text, ESCAPED).to_string()
}

/// Why a key or value of a link does not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscapeError {
    /// A `%` that starts no escape.
    BadEscape {
        /// What holds it.
        what: &'static str,
        /// The text.
        text: String,
        /// The byte of the `%`.
        at: usize,
    },
    /// Escapes that decode to no UTF-8.
    NotUtf8(&'static str),
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EscapeError::BadEscape { what, text, at } => write!(
                f,
                "{what} `{}` has a % at byte {at} that is not followed by two hex digits",
                clip(text)
            ),
            EscapeError::NotUtf8(what) => write!(f, "{what} is not UTF-8"),
        }
    }
}

impl std::error::Error for EscapeError {}
