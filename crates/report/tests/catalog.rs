//! The catalog is complete: every message exists in Chinese and English with
//! the same arguments, and every `msg!` in the code names a message that
//! exists and passes every argument the message uses.

use fluent_syntax::ast;
use sockspec_report::Lang;
use sockspec_report::catalog::SOURCES;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Vars = BTreeSet<String>;

fn vars_of_pattern(p: &ast::Pattern<&str>, out: &mut Vars) {
    for e in &p.elements {
        if let ast::PatternElement::Placeable { expression } = e {
            vars_of_expression(expression, out);
        }
    }
}

fn vars_of_expression(e: &ast::Expression<&str>, out: &mut Vars) {
    match e {
        ast::Expression::Select { selector, variants } => {
            vars_of_inline(selector, out);
            for v in variants {
                vars_of_pattern(&v.value, out);
            }
        }
        ast::Expression::Inline(i) => vars_of_inline(i, out),
    }
}

fn vars_of_inline(i: &ast::InlineExpression<&str>, out: &mut Vars) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => vars_of_expression(expression, out),
        _ => {}
    }
}

/// Every message of a language: ID → the variables it uses.
fn messages(lang: Lang) -> BTreeMap<String, Vars> {
    let mut all = BTreeMap::new();
    for (l, files) in SOURCES {
        if l != lang {
            continue;
        }
        for (name, text) in files {
            let resource = fluent_syntax::parser::parse(*text)
                .unwrap_or_else(|(_, errors)| panic!("{lang}/{name} does not parse: {errors:?}"));
            for entry in resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = Vars::new();
                    if let Some(p) = &m.value {
                        vars_of_pattern(p, &mut vars);
                    }
                    let id = m.id.name.to_string();
                    assert!(
                        all.insert(id.clone(), vars).is_none(),
                        "{lang}: message {id} is defined twice"
                    );
                }
            }
        }
    }
    all
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_arguments() {
    let en = messages(Lang::En);
    let zh = messages(Lang::Zh);
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "messages without Chinese: {only_en:?}");
    assert!(only_zh.is_empty(), "messages without English: {only_zh:?}");
    for (id, vars) in &en {
        assert_eq!(
            vars, &zh[id],
            "{id}: English and Chinese use different arguments"
        );
    }
    assert!(en.len() > 40, "the catalog has {} messages", en.len());
}

/// The `msg!` invocations in a source text: (ID, argument names).
fn invocations(text: &str) -> Vec<(String, Vars)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("msg!(") {
        rest = &rest[i + 5..];
        let mut depth = 1;
        let mut end = 0;
        let mut in_str = false;
        let mut escaped = false;
        for (k, c) in rest.char_indices() {
            if in_str {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &rest[..end];
        let Some(id) = body
            .trim_start()
            .strip_prefix('"')
            .and_then(|b| b.split('"').next())
        else {
            continue; // the macro's own definition, or a non-literal ID
        };
        let mut args = Vars::new();
        let mut depth = 0;
        let mut part = String::new();
        let mut parts = Vec::new();
        for c in body.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut part));
                    continue;
                }
                _ => {}
            }
            part.push(c);
        }
        parts.push(part);
        for p in parts.iter().skip(1) {
            if let Some((name, _)) = p.split_once('=') {
                let name = name.trim();
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    args.insert(name.to_string());
                }
            }
        }
        found.push((id.to_string(), args));
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_message_the_code_builds_is_in_the_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["crates", "src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let en = messages(Lang::En);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (id, args) in invocations(&text) {
            if file.ends_with("message.rs")
                || file.ends_with("property.rs")
                || file.ends_with("tests/catalog.rs")
            {
                continue;
            }
            seen += 1;
            match en.get(&id) {
                None => problems.push(format!("{}: `{id}` is not in the catalog", file.display())),
                Some(vars) => {
                    let missing: Vec<_> = vars.difference(&args).collect();
                    if !missing.is_empty() {
                        problems.push(format!(
                            "{}: `{id}` uses {missing:?}, which the code does not pass",
                            file.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(seen > 20, "found only {seen} msg! invocations");
}
