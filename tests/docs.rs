//! The project's own documentation, checked: every relative link in
//! `README.md` and `docs/*.md` names a file or folder of the repository
//! (and, when it has one, a `#heading` of the Markdown page it names), and
//! nothing in `src/`, `README.md` or `docs/` points at `../shared`, a
//! folder that someone who clones ftkv does not have.
//!
//! A link is a Markdown inline link or image, `[text](target)` or
//! `![alt](target)`, outside fenced code blocks and inline code. Targets
//! with a scheme (`https:`, `mailto:`) are not checked; a target that is
//! only `#heading` must be a heading of the page itself. Headings become
//! anchors as GitHub makes them: lower case, spaces to `-`, every
//! character other than letters, digits, `-` and `_` dropped, and `-1`,
//! `-2`, … after repeats.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `README.md` and every `docs/*.md`.
fn pages() -> Vec<PathBuf> {
    let root = root();
    let mut pages = vec![root.join("README.md")];
    let docs = root.join("docs");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("{}: {e}", docs.display()))
        .map(|entry| entry.expect("a readable docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    found.sort();
    pages.extend(found);
    pages
}

/// The lines of `text` outside fenced code blocks: (line number, the line,
/// the line with its inline code spans blanked out, so that a link shown as
/// code is not a link).
fn prose(text: &str) -> Vec<(usize, &str, String)> {
    let mut lines = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                continue;
            }
            (Some(open), Some(m)) if m == open => {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, None) => {}
        }
        lines.push((index + 1, line, blank_code_spans(line)));
    }
    lines
}

/// `line` with every inline code span (`` `…` `` and ``` ``…`` ```)
/// replaced by spaces.
fn blank_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        let close = (i + run..chars.len()).find(|&j| {
            chars[j..].iter().take_while(|&&c| c == '`').count() == run
                && (j == 0 || chars[j - 1] != '`')
        });
        match close {
            Some(j) => {
                out.extend(std::iter::repeat_n(' ', j + run - i));
                i = j + run;
            }
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The targets of the inline links and images on one line of prose.
fn targets(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        // The target ends at the `)` that closes the one just opened.
        let mut depth = 0usize;
        let end = after.char_indices().find(|&(_, c)| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' if depth == 0 => true,
            ')' => {
                depth -= 1;
                false
            }
            _ => false,
        });
        let Some((end, _)) = end else { break };
        let target = after[..end].trim();
        // `(path "title")`: the path is the first word.
        let target = target.split_whitespace().next().unwrap_or("");
        let target = target.trim_start_matches('<').trim_end_matches('>');
        found.push(target.to_owned());
        rest = &after[end..];
    }
    found
}

/// Whether `target` names something outside the repository by a scheme.
fn is_external(target: &str) -> bool {
    let scheme: String = target
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        .collect();
    !scheme.is_empty() && target[scheme.len()..].starts_with(':')
}

/// The anchors GitHub gives the headings of a Markdown page.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut all = BTreeSet::new();
    for (_, line, _) in prose(text) {
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if hashes == 0 || hashes > 6 || !trimmed[hashes..].starts_with(' ') {
            continue;
        }
        let slug = slug(trimmed[hashes..].trim());
        let mut anchor = slug.clone();
        let mut n = 0;
        while !seen.insert(anchor.clone()) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        all.insert(anchor);
    }
    all
}

/// GitHub's anchor for a heading text.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Every broken relative link of `page`, described.
fn broken_links(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let dir = page.parent().expect("a page is in a folder");
    let root = root();
    let shown = page
        .strip_prefix(&root)
        .unwrap_or(page)
        .display()
        .to_string();
    let mut broken = Vec::new();
    for (number, _, line) in prose(&text) {
        for target in targets(&line) {
            if target.is_empty() || is_external(&target) {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.to_path_buf()
            } else {
                dir.join(path)
            };
            let Ok(file) = file.canonicalize() else {
                broken.push(format!("{shown}:{number}: `{target}`: no such file"));
                continue;
            };
            if !file.starts_with(&root) {
                broken.push(format!(
                    "{shown}:{number}: `{target}` is outside the repository"
                ));
                continue;
            }
            let markdown = file.extension().is_some_and(|ext| ext == "md");
            if let (Some(anchor), true) = (anchor, markdown) {
                let other = std::fs::read_to_string(&file).unwrap_or_default();
                if !anchors(&other).contains(anchor) {
                    broken.push(format!(
                        "{shown}:{number}: `{target}`: no heading `#{anchor}` there"
                    ));
                }
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let pages = pages();
    assert!(pages.len() >= 4, "README.md and docs/*.md: {}", pages.len());
    let broken: Vec<String> = pages.iter().flat_map(|page| broken_links(page)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, into: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            files_under(&path, into);
        } else {
            into.push(path);
        }
    }
}

#[test]
fn nothing_points_at_the_shared_folder_outside_the_repository() {
    let root = root();
    let mut files = vec![root.join("README.md")];
    files_under(&root.join("src"), &mut files);
    files_under(&root.join("docs"), &mut files);
    let outside = ["..", "shared"].join("/");
    let mut found = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            if line.contains(&outside) {
                let shown = file.strip_prefix(&root).unwrap_or(file).display();
                found.push(format!("{shown}:{}: {}", index + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "mentions of {outside}, which a clone of ftkv does not have:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_link_checker_finds_links_and_anchors_as_github_does() {
    assert_eq!(
        targets("see [a](docs/a.md#x) and ![b](www/b.png \"title\") or [c](#y)"),
        ["docs/a.md#x", "www/b.png", "#y"]
    );
    assert_eq!(
        targets("[Wing](https://example.org/a_(b)) then [d](d.md)"),
        ["https://example.org/a_(b)", "d.md"]
    );
    assert!(targets(&blank_code_spans("`[not](a link)` but")).is_empty());
    assert!(is_external("https://example.org") && is_external("mailto:a@b"));
    assert!(!is_external("docs/grading.md") && !is_external("#correct-under-faults"));
    assert_eq!(
        slug("Virtual nodes and `ftkv ring`"),
        "virtual-nodes-and-ftkv-ring"
    );
    assert_eq!(
        slug("The test cases (`testcases/*.conf`)"),
        "the-test-cases-testcasesconf"
    );
    let page = "# T\n## Same\n```\n## not a heading\n```\n## Same\n";
    let want: BTreeSet<String> = ["t", "same", "same-1"].map(String::from).into();
    assert_eq!(anchors(page), want);
    let fenced = prose("a\n```\n[x](nowhere.md)\n```\nb");
    assert_eq!(fenced.len(), 2, "{fenced:?}");
}
