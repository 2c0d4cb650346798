//! Whole numbers read from untrusted text (share links, peer addresses):
//! decimal digits only, as ftkv writes them — no sign, no space, no leading
//! zero — so one number has one spelling and a link is read as it was made.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a whole number of the wanted type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotWhole {
    /// Empty, or not in canonical decimal digits (a sign, a leading zero,
    /// anything else).
    NotDigits,
    /// Canonical digits, but larger than the type holds.
    TooLarge,
}

impl fmt::Display for NotWhole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotWhole::NotDigits => "is not a whole number",
            NotWhole::TooLarge => "is too large",
        })
    }
}

/// Parses `text` as canonical decimal digits ("0", "17"; not "+17",
/// "017" or " 17").
pub(crate) fn parse<T: FromStr>(text: &str) -> Result<T, NotWhole> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return Err(NotWhole::NotDigits);
    }
    text.parse().map_err(|_| NotWhole::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_digits_are_numbers() {
        assert_eq!(parse::<u32>("0"), Ok(0));
        assert_eq!(parse::<u32>("4096"), Ok(4096));
        for text in ["", "+1", "-1", "01", "00", " 1", "1 ", "1e3", "1.5", "٣"] {
            assert_eq!(parse::<u32>(text), Err(NotWhole::NotDigits), "{text:?}");
        }
        assert_eq!(parse::<u8>("256"), Err(NotWhole::TooLarge));
        assert_eq!(
            parse::<u64>("99999999999999999999999"),
            Err(NotWhole::TooLarge)
        );
    }
}
