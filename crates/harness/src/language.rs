//! Which language a target is written in, from its command, its file or its
//! binary, so that hints speak of the program's own API (C's `read()` returning
//! 0, not Python's `b''`).

use sockspec_results::ProgramLanguage;
use std::path::Path;

/// The language of the program `argv` runs.
pub fn detect(argv: &[String]) -> ProgramLanguage {
    let Some(program) = argv.first() else {
        return ProgramLanguage::default();
    };
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(lang) = by_interpreter(&name) {
        // `sh server.sh` runs a script whose own interpreter may tell more.
        if lang == ProgramLanguage::Shell
            && let Some(script) = argv.get(1)
        {
            return by_file(Path::new(script)).unwrap_or(ProgramLanguage::Shell);
        }
        return lang;
    }
    by_file(Path::new(program)).unwrap_or_default()
}

/// The language an interpreter's name says (`python3.11`, `node`, `java`).
fn by_interpreter(name: &str) -> Option<ProgramLanguage> {
    let lang = if name.starts_with("python") || name == "pypy3" {
        ProgramLanguage::Python
    } else if name == "node" || name == "nodejs" || name == "deno" || name == "bun" {
        ProgramLanguage::Node
    } else if name == "java" || name == "javaw" {
        ProgramLanguage::Java
    } else if name == "go" {
        ProgramLanguage::Go
    } else if name == "cargo" {
        ProgramLanguage::Rust
    } else if matches!(
        name,
        "sh" | "bash" | "dash" | "zsh" | "socat" | "nc" | "ncat" | "curl"
    ) {
        ProgramLanguage::Shell
    } else {
        return None;
    };
    Some(lang)
}

/// The language of a file: its extension, its `#!` line, or, for a binary,
/// what its compiler left in it.
fn by_file(path: &Path) -> Option<ProgramLanguage> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let by_extension = match extension {
        "py" => Some(ProgramLanguage::Python),
        "js" | "mjs" | "cjs" => Some(ProgramLanguage::Node),
        "c" | "cc" | "cpp" | "h" => Some(ProgramLanguage::C),
        "java" | "jar" | "class" => Some(ProgramLanguage::Java),
        "go" => Some(ProgramLanguage::Go),
        "rs" => Some(ProgramLanguage::Rust),
        "sh" => None, // its #! line or its commands may say more
        _ => None,
    };
    by_extension.or_else(|| by_contents(path))
}

fn by_contents(path: &Path) -> Option<ProgramLanguage> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut head)
        .ok()?;
    if let Some(line) = head.strip_prefix(b"#!") {
        let line =
            String::from_utf8_lossy(line.split(|&b| b == b'\n').next().unwrap_or(&[])).into_owned();
        let interpreter = line
            .split_whitespace()
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .find(|w| *w != "env")?
            .to_string();
        return by_interpreter(&interpreter);
    }
    if head.starts_with(b"\x7fELF") {
        let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        return Some(
            if contains(b"Go build ID") || contains(b"runtime.gopanic") {
                ProgramLanguage::Go
            } else if contains(b"rust_panic") || contains(b"/rustc/") {
                ProgramLanguage::Rust
            } else {
                ProgramLanguage::C
            },
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn interpreters_and_extensions_name_the_language() {
        assert_eq!(detect(&argv(&["python3", "s.py"])), ProgramLanguage::Python);
        assert_eq!(
            detect(&argv(&["/usr/bin/node", "s.js"])),
            ProgramLanguage::Node
        );
        assert_eq!(detect(&argv(&["java", "Server"])), ProgramLanguage::Java);
        assert_eq!(detect(&argv(&["./server.py"])), ProgramLanguage::Python);
        assert_eq!(
            detect(&argv(&["socat", "TCP-LISTEN:1"])),
            ProgramLanguage::Shell
        );
    }

    #[test]
    fn binaries_and_scripts_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("run");
        std::fs::write(&script, "#!/usr/bin/env node\nconsole.log(1)\n").unwrap();
        assert_eq!(
            detect(&argv(&[script.to_str().unwrap()])),
            ProgramLanguage::Node
        );
        let sh = dir.path().join("s.sh");
        std::fs::write(&sh, "#!/bin/sh\nexec socat\n").unwrap();
        assert_eq!(
            detect(&argv(&["sh", sh.to_str().unwrap()])),
            ProgramLanguage::Shell
        );
        // A binary a C compiler made (this machine's `true` is one).
        assert_eq!(detect(&argv(&["/bin/true"])), ProgramLanguage::C);
    }
}
