//! The layers of the crate, checked: a module may use modules of its own
//! layer or of the layers below it, never above, and no two modules use
//! each other, directly or round a longer circle.
//!
//! The layers, lowest first (README, "Inside"): `util`, `protocol`, `sim`,
//! `check` and `classic`, `scenario`, `torture`, `explore` and `measure`, `view`,
//! `wasm`. The binary (`src/cli/`) sees only the library's public API.
//! A use is any `crate::…` or `super::…` path in code outside comments and
//! outside `#[cfg(test)]` modules; a path names the deepest module it
//! reaches, so a module that re-exports a child and a child that uses the
//! re-export form a circle too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and its layer: a module may use only modules whose
/// layer is at most its own.
const LAYERS: &[(&str, u8)] = &[
    ("util", 0),
    ("protocol", 1),
    ("sim", 2),
    ("check", 3),
    ("classic", 3),
    ("scenario", 4),
    ("torture", 5),
    ("explore", 5),
    ("measure", 5),
    ("view", 6),
    ("wasm", 7),
];

/// Module path (e.g. `sim::network`) to the code of its file, test modules cut.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if prefix.is_empty() && name == "cli" {
                    continue;
                }
                let mut deeper = prefix.to_vec();
                deeper.push(name);
                walk(&path, &deeper, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if name != "mod" && name != "lib" {
                    module.push(name);
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(module.join("::"), code_of(&text));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &[], &mut out);
    out
}

/// The code of a file: comments dropped, and nothing from its first
/// `#[cfg(test)]` on (the unit tests sit at the end of each file).
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let line = line.split("//").next().unwrap();
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The modules one module's code names through `crate::` or `super::` paths.
fn uses(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let own: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    for (root, base) in [("crate::", 0usize), ("super::", 1)] {
        for (at, _) in code.match_indices(root) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut path: Vec<String> = if base == 0 {
                Vec::new()
            } else {
                // `super` of `a::b` is `a`, of `a` the crate's root.
                own[..own.len().saturating_sub(1)]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            };
            let rest = &code[at + root.len()..];
            let mut segments = rest.split("::");
            let mut resolved = path.join("::");
            for segment in &mut segments {
                let name: String = segment
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name.is_empty() {
                    break;
                }
                path.push(name);
                let candidate = path.join("::");
                if known.contains(&candidate) {
                    resolved = candidate;
                } else {
                    break;
                }
            }
            if resolved != module {
                found.insert(resolved);
            }
        }
    }
    found
}

fn layer_of(module: &str) -> u8 {
    let top = module.split("::").next().unwrap();
    LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .unwrap_or_else(|| panic!("module {module} is in no layer: add `{top}` to LAYERS"))
        .1
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(m, code)| (m.clone(), uses(m, code, &known)))
        .collect()
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let mut wrong = Vec::new();
    for (module, used) in graph().into_iter().filter(|(m, _)| !m.is_empty()) {
        for target in used.iter().filter(|t| !t.is_empty()) {
            if layer_of(target) > layer_of(&module) {
                wrong.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses that go up a layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_use_each_other_even_round_a_circle() {
    let graph = graph();
    // Depth-first search: a back edge closes a circle.
    fn visit<'a>(
        at: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
        circles: &mut Vec<String>,
    ) {
        state.insert(at, 1);
        stack.push(at);
        for next in graph.get(at).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|m| *m == next).unwrap();
                    let mut circle: Vec<&str> = stack[from..].to_vec();
                    circle.push(next);
                    circles.push(circle.join(" -> "));
                }
                Some(_) => {}
                None => visit(next, graph, state, stack, circles),
            }
        }
        stack.pop();
        state.insert(at, 2);
    }
    let mut state = BTreeMap::new();
    let mut circles = Vec::new();
    for module in graph.keys() {
        if !state.contains_key(module.as_str()) {
            visit(module, &graph, &mut state, &mut Vec::new(), &mut circles);
        }
    }
    assert!(
        circles.is_empty(),
        "modules that use each other:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_checker_sees_a_use_that_goes_up_and_a_circle() {
    let known: BTreeSet<String> = [
        "protocol::store",
        "protocol::merkle",
        "view",
        "sim::network",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let code =
        "use crate::view::Health;\nuse super::merkle::Tree;\n// crate::sim::network in a comment\n";
    let used = uses("protocol::store", &code_of(code), &known);
    assert_eq!(
        used,
        ["protocol::merkle", "view"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert!(layer_of("view") > layer_of("protocol::store"));
}
