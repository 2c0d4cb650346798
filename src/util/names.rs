//! Enums known by name (event classes, anomalies, levels, modes,
//! profiles): finding one by its name, and refusing a name that is none of
//! theirs, naming it and every name that would do.

use std::fmt;

/// The one of `all` called `name`, as `name_of` names them.
pub(crate) fn find<T: Copy>(
    all: &[T],
    name_of: impl Fn(T) -> &'static str,
    name: &str,
) -> Option<T> {
    all.iter().copied().find(|&t| name_of(t) == name)
}

/// Writes `no {what} "{name}"; the {plural} are a, b, …`, the names being
/// `known`.
pub(crate) fn write_unknown(
    f: &mut fmt::Formatter<'_>,
    (what, plural): (&str, &str),
    name: &str,
    known: impl IntoIterator<Item = &'static str>,
) -> fmt::Result {
    write!(f, "no {what} {name:?}; the {plural} are ")?;
    for (i, known) in known.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        write!(f, "{sep}{known}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Unknown(&'static str);

    impl fmt::Display for Unknown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_unknown(f, ("colour", "colours"), self.0, ["red", "green"])
        }
    }

    #[test]
    fn a_name_is_found_or_refused_with_the_names_that_would_do() {
        let name_of = |n: u8| ["zero", "one"][usize::from(n)];
        assert_eq!(find(&[0, 1], name_of, "one"), Some(1));
        assert_eq!(find(&[0, 1], name_of, "two"), None);
        assert_eq!(
            Unknown("blue").to_string(),
            r#"no colour "blue"; the colours are red, green"#
        );
    }
}
