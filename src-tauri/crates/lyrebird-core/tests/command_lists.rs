//! One command list, four places: the handlers the shell registers
//! (`src-tauri/src/commands/mod.rs`),
//! the permissions tauri-build generates (`src-tauri/build.rs`), what each window's capability
//! grants (`src-tauri/capabilities/*.json`) and what the UI's ipc layer invokes
//! (`ui/src/lib/ipc/*.ts`). A command missing from one of them is either unreachable (no
//! permission, no wrapper) or a permission for nothing; this test fails on either.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// `player::name,` / `servers::name,` lines inside `generate_handler![…]`.
fn registered() -> BTreeSet<String> {
    let list = read("src-tauri/src/commands/mod.rs");
    let start = list.find("generate_handler![").expect("a handler list");
    let end = start + list[start..].find(']').expect("its end");
    list[start..end]
        .lines()
        .skip(1)
        .filter_map(|line| line.trim().trim_end_matches(',').rsplit("::").next())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The quoted names in `const COMMANDS: &[&str] = &[…];`.
fn permitted() -> BTreeSet<String> {
    let build = read("src-tauri/build.rs");
    let start = build.find("const COMMANDS").expect("a COMMANDS list");
    let end = start + build[start..].find("];").expect("its end");
    quoted(&build[start..end])
}

/// Every `allow-<command>` a window's capability grants (Tauri's own `core:` ones aside).
fn granted() -> BTreeSet<String> {
    let mut granted = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for permission in quoted(&text) {
            if let Some(command) = permission.strip_prefix("allow-") {
                granted.insert(command.replace('-', "_"));
            }
        }
    }
    granted
}

/// The names in `invoke('name'` / `invoke<T>('name'` calls of the UI's ipc layer.
fn invoked() -> BTreeSet<String> {
    let mut invoked = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("ui/src/lib/ipc")).unwrap() {
        let path = entry.unwrap().path();
        let is_ts = path.extension().is_some_and(|e| e == "ts");
        let is_test = path.to_string_lossy().ends_with(".test.ts");
        if !is_ts || is_test {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("invoke") {
            let rest = &text[at + "invoke".len()..];
            let rest = match rest.strip_prefix('<') {
                Some(generic) => &generic[generic.find(">(").map_or(0, |i| i + 1)..],
                None => rest,
            };
            if let Some(call) = rest.strip_prefix("('")
                && let Some(end) = call.find('\'')
            {
                invoked.insert(call[..end].to_owned());
            }
        }
    }
    invoked
}

/// Every shell file under `src-tauri/src`, by its path there.
fn shell_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            shell_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The functions marked `#[tauri::command]` in the shell, each with the file it is in
/// (relative to `src-tauri/src`).
fn written() -> Vec<(String, String)> {
    let src = root().join("src-tauri/src");
    let mut files = Vec::new();
    shell_files(&src, &mut files);
    let mut written = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (at, _) in text.match_indices("#[tauri::command]") {
            let rest = &text[at..];
            let name = rest
                .find("fn ")
                .map(|f| &rest[f + 3..])
                .and_then(|r| r.split(['<', '(']).next())
                .expect("a command is a function");
            // `$name`: a macro's template (`action_commands!`); its commands are not seen.
            if !name.starts_with('$') {
                written.push((relative.clone(), name.trim().to_owned()));
            }
        }
    }
    written
}

fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn difference(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

#[test]
fn every_command_is_registered_permitted_granted_and_wrapped() {
    let (registered, permitted, granted, invoked) =
        (registered(), permitted(), granted(), invoked());
    assert!(registered.len() > 50, "{registered:?}");
    assert_eq!(
        (
            difference(&registered, &permitted),
            difference(&permitted, &registered)
        ),
        (vec![], vec![]),
        "commands/mod.rs's handlers and build.rs's COMMANDS differ (registered only, permitted only)"
    );
    assert_eq!(
        difference(&granted, &permitted),
        Vec::<String>::new(),
        "capabilities grant permissions for commands that do not exist"
    );
    assert_eq!(
        difference(&permitted, &granted),
        Vec::<String>::new(),
        "commands no window may call"
    );
    assert_eq!(
        (
            difference(&invoked, &registered),
            difference(&registered, &invoked)
        ),
        (vec![], vec![]),
        "the UI's ipc layer and the registered commands differ (invoked only, registered only)"
    );
}

#[test]
fn every_command_is_written_in_commands_and_registered() {
    let registered = registered();
    let written = written();
    assert!(written.len() > 40, "{written:?}");
    let outside: Vec<_> = written
        .iter()
        .filter(|(file, _)| !file.starts_with("commands/"))
        .collect();
    assert!(
        outside.is_empty(),
        "commands outside src-tauri/src/commands: {outside:?}"
    );
    let unregistered: Vec<_> = written
        .iter()
        .filter(|(_, name)| !registered.contains(name))
        .collect();
    assert!(
        unregistered.is_empty(),
        "commands never registered: {unregistered:?}"
    );
}
