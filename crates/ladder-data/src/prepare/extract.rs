//! Files of an unpacked package → cleaned documents.
//!
//! A glob is `folder/inside/package/` + `*` (that folder) or `**/*` (and below) + a file
//! pattern with at most one `*` (`*.txt`, `data.*`, `jargon.txt.gz`). Files are read in sorted
//! path order; links that lead nowhere are skipped; exact duplicate documents are dropped. Cleaning: CRLF → LF, trailing spaces trimmed, empty documents dropped.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Extract, SourceSpec};
use crate::DataError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DataError + '_ {
    move |source| DataError::Io { path: path.to_path_buf(), source }
}

/// Whether `name` matches a pattern with at most one `*`.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail),
    }
}

/// Files of `root` matching `glob`, sorted.
pub fn glob(root: &Path, glob: &str) -> Result<Vec<PathBuf>, DataError> {
    let (dir, recursive, pattern) = match glob.rsplit_once('/') {
        Some((dir, pattern)) => match dir.strip_suffix("/**").or_else(|| (dir == "**").then_some("")) {
            Some(base) => (base, true, pattern),
            None => (dir, false, pattern),
        },
        None => ("", false, glob),
    };
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder).map_err(io(&folder))?;
        for entry in entries {
            let path = entry.map_err(io(&folder))?.path();
            if path.is_dir() {
                if recursive {
                    stack.push(path);
                }
            } else if path.is_file() && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| matches(pattern, n)) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path, gzip: bool) -> Result<String, DataError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let bytes = if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out).map_err(io(path))?;
        out
    } else {
        bytes
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn clean(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let doc = lines.join("\n").trim().to_string();
    (!doc.is_empty()).then_some(doc)
}

fn excluded(path: &Path, exclude_ext: &[String]) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| exclude_ext.iter().any(|x| x == e))
}

/// The documents of an unpacked source.
pub fn documents(spec: &SourceSpec, root: &Path) -> Result<Vec<String>, DataError> {
    let mut docs = Vec::new();
    match &spec.extract {
        Extract::Files { glob: g, exclude_ext, gzip } => {
            for path in glob(root, g)?.iter().filter(|p| !excluded(p, exclude_ext)) {
                docs.extend(clean(&read(path, *gzip)?));
            }
        }
        Extract::Split { glob: g, separator, exclude_ext, gzip } => {
            for path in glob(root, g)?.iter().filter(|p| !excluded(p, exclude_ext)) {
                let text = read(path, *gzip)?.replace("\r\n", "\n");
                docs.extend(text.split(separator.as_str()).filter_map(clean));
            }
        }
        Extract::JsonExtracts { glob: g } => {
            for path in glob(root, g)? {
                let value: serde_json::Value = serde_json::from_str(&read(&path, false)?).map_err(|e| DataError::BadLine {
                    path: path.clone(),
                    line: e.line(),
                    why: e.to_string(),
                })?;
                let entries = value.as_object().ok_or_else(|| DataError::BadLine {
                    path: path.clone(),
                    line: 1,
                    why: "expected a JSON object of {title, extract} entries".into(),
                })?;
                for (key, entry) in entries {
                    let title = entry.get("title").and_then(|t| t.as_str()).unwrap_or(key);
                    if let Some(extract) = entry.get("extract").and_then(|t| t.as_str()) {
                        docs.extend(clean(&format!("{title}\n\n{extract}")));
                    }
                }
            }
        }
        Extract::Wordnet { glob: g } => {
            for path in glob(root, g)? {
                let pos = match path.extension().and_then(|e| e.to_str()) {
                    Some("noun") => "n",
                    Some("verb") => "v",
                    Some("adj") => "adj",
                    Some("adv") => "adv",
                    _ => continue,
                };
                for line in read(&path, false)?.lines().filter(|l| !l.starts_with("  ")) {
                    if let Some(doc) = wordnet_line(line, pos) {
                        docs.push(doc);
                    }
                }
            }
        }
    }
    // Exact duplicates (a package that ships a text twice) would be repeated data.
    let mut seen = std::collections::HashSet::new();
    docs.retain(|d| seen.insert(super::manifest::fnv1a64(d.as_bytes())));
    Ok(docs)
}

/// `offset lexfile type count(hex) word lexid [word lexid]... | gloss` → `words (pos): gloss`.
fn wordnet_line(line: &str, pos: &str) -> Option<String> {
    let (head, gloss) = line.split_once(" | ")?;
    let fields: Vec<&str> = head.split_whitespace().collect();
    let count = usize::from_str_radix(fields.get(3)?, 16).ok()?;
    let words: Vec<String> = (0..count).filter_map(|i| fields.get(4 + 2 * i)).map(|w| w.replace('_', " ")).collect();
    clean(&format!("{} ({pos}): {}", words.join(", "), gloss.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_patterns() {
        assert!(matches("*.txt", "a.txt") && !matches("*.txt", "a.txt.gz") && matches("data.*", "data.noun") && matches("x.gz", "x.gz"));
        let root = std::env::temp_dir().join(format!("ladder-data-glob-{}", std::process::id()));
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        for f in ["a/1.txt", "a/b/2.txt", "a/b/c/3.txt", "a/b/c/4.md"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let names =
            |g: &str| glob(&root, g).unwrap().iter().map(|p| p.strip_prefix(&root).unwrap().display().to_string()).collect::<Vec<_>>();
        assert_eq!(names("a/*.txt"), vec!["a/1.txt"]);
        assert_eq!(names("a/**/*.txt"), vec!["a/1.txt", "a/b/2.txt", "a/b/c/3.txt"]);
        assert!(glob(&root, "nope/*.txt").unwrap_err().to_string().contains("nope"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn wordnet_lines_become_glosses() {
        let line = "00001740 03 n 02 entity 0 thing 1 003 ~ 00001930 n 0000 | that which is perceived or known";
        assert_eq!(wordnet_line(line, "n").unwrap(), "entity, thing (n): that which is perceived or known");
        assert_eq!(wordnet_line("  1 This software and database", "n"), None);
    }

    #[test]
    fn cleaning_drops_empty_pieces() {
        assert_eq!(clean("  a \r\nb  \n\n"), Some("a\nb".to_string()));
        assert_eq!(clean(" \n "), None);
    }
}
