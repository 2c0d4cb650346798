//! The settings schema, checked end to end: every setting of
//! `SETTINGS` round-trips through the settings text, the share link, the
//! CLI flags and the JS options, and a bad value of each is refused with
//! the same message everywhere, naming the setting as that surface does.

use std::process::Command;

use ftkv::settings::{Kind, OptionValue, Setting, Value, SETTINGS};
use ftkv::Config;
use ftkv::{Session, Setup};

/// A value of `s` other than its default, as a JS option and as text.
fn other(s: &Setting) -> (OptionValue, String) {
    match (s.kind, s.default_value()) {
        (Kind::Switch, Value::Switch(on)) => {
            (OptionValue::Bool(!on), if on { "off" } else { "on" }.into())
        }
        (Kind::Choice(words), Value::Word(w)) => {
            let word = words.iter().find(|x| **x != w).unwrap();
            (OptionValue::Text((*word).into()), (*word).into())
        }
        (Kind::Whole { .. }, Value::Whole(n)) => {
            // One more than the default is in range for every setting
            // (R and W stay at most N = 3).
            (OptionValue::Number((n + 1) as f64), (n + 1).to_string())
        }
        _ => unreachable!("a default of the setting's own kind"),
    }
}

/// The configuration with `s` set by JS option `value`.
fn by_option(s: &Setting, value: OptionValue) -> Result<Config, String> {
    Config::default()
        .with_options(|x| (x.name == s.name).then(|| value.clone()))
        .map_err(|e| e.to_string())
}

/// What `ftkv torture` on one quiet seed prints (stdout, stderr) with `flags`.
fn torture(flags: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ftkv"))
        .args(["torture", "--seeds", "1", "--profile", "none"])
        .args(flags)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (text(out.stdout), text(out.stderr))
}

#[test]
fn every_setting_round_trips_through_text_link_flags_and_options() {
    for s in &SETTINGS {
        let (option, text) = other(s);
        let config = Config::default()
            .with_settings(&format!("{}={text}", s.name))
            .unwrap();
        assert_ne!(config, Config::default(), "{}", s.name);
        assert_eq!(
            Config::default().with_settings(&config.settings()),
            Ok(config)
        );
        assert_eq!(by_option(s, option), Ok(config), "{}", s.name);
        let setup = Setup {
            config,
            ..Setup::new(4, 7)
        };
        let link = Session::new(setup.clone(), false).unwrap().link();
        assert_eq!(Session::from_link(&link, false).unwrap().setup(), &setup);
        let flag = format!("--{}", s.flag);
        let flags: Vec<&str> = match s.kind {
            Kind::Switch => vec![&flag],
            _ => vec![&flag, &text],
        };
        let (out, err) = torture(&flags);
        assert!(
            out.contains(&format!(", {}\n", config.settings())),
            "{flag}: {out}{err}"
        );
    }
}

/// The message with the setting's name on one surface replaced by `<>`.
fn unnamed(message: &str, name: &str) -> String {
    let message = message.replacen(&format!("`{name}`"), "`<>`", 1);
    match message.strip_prefix(name) {
        Some(rest) => format!("<>{rest}"),
        None => message,
    }
}

#[test]
fn a_bad_value_gives_the_same_message_everywhere() {
    for s in &SETTINGS {
        let bad = match s.kind {
            Kind::Whole { .. } => "many",
            _ => "nonsense",
        };
        let text = Config::default()
            .with_settings(&format!("{}={bad}", s.name))
            .unwrap_err()
            .to_string();
        let js = by_option(s, OptionValue::Text(bad.into())).unwrap_err();
        assert_eq!(unnamed(&js, s.js), unnamed(&text, s.name), "{}", s.name);
        if s.kind != Kind::Switch {
            let (_, err) = torture(&[&format!("--{}", s.flag), bad]);
            assert!(
                err.contains(&text.replacen(s.name, s.flag, 1)),
                "--{}: {err} should say {text}",
                s.flag
            );
        }
    }
}

#[test]
fn a_value_out_of_range_is_refused_the_same_way_by_text_and_options() {
    for s in &SETTINGS {
        let Kind::Whole { min, .. } = s.kind else {
            continue;
        };
        let Some(below) = min.checked_sub(1) else {
            continue;
        };
        let text = Config::default()
            .with_settings(&format!("{}={below}", s.name))
            .unwrap_err()
            .to_string();
        assert_eq!(
            by_option(s, OptionValue::Number(below as f64)),
            Err(text.clone())
        );
        let (_, err) = torture(&[&format!("--{}", s.flag), &below.to_string()]);
        assert!(err.contains(&text), "--{}: {err}", s.flag);
    }
}
