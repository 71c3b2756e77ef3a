//! An output folder's record of what the last command wrote there (`.ladder-outputs`): files an
//! earlier run wrote and this one did not are removed and listed, so a folder never mixes two
//! experiments' results. Files the toolkit did not write are never touched.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The record's file name inside the output folder.
pub const MANIFEST: &str = ".ladder-outputs";

/// Records `written` (paths under `out`) as the folder's outputs and removes the files the
/// previous record listed that `written` does not; returns the removed files.
pub fn replace(out: &Path, written: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let manifest = out.join(MANIFEST);
    let relative = |p: &Path| p.strip_prefix(out).unwrap_or(p).to_string_lossy().into_owned();
    let now: BTreeSet<String> = written.iter().map(|p| relative(p)).collect();
    let before: BTreeSet<String> = match std::fs::read_to_string(&manifest) {
        Ok(text) => text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", manifest.display())),
    };
    let mut removed = Vec::new();
    for stale in before.difference(&now) {
        // Only plain relative names inside the folder (a hand-edited record cannot reach out).
        if Path::new(stale).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            continue;
        }
        let path = out.join(stale);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing the stale output {}", path.display())),
        }
    }
    let text: String = now.iter().map(|l| format!("{l}\n")).collect();
    ladder_core::fsio::write_atomic(&manifest, text).with_context(|| format!("writing {}", manifest.display()))?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_outputs_are_removed_and_other_files_kept() {
        let out = std::env::temp_dir().join(format!("ladder-cli-outputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(out.join("figures")).unwrap();
        for f in ["a.csv", "b.csv", "figures/old.png", "notes.txt"] {
            std::fs::write(out.join(f), "x").unwrap();
        }
        assert!(replace(&out, &[out.join("a.csv"), out.join("b.csv"), out.join("figures/old.png")]).unwrap().is_empty());
        let removed = replace(&out, &[out.join("a.csv")]).unwrap();
        assert_eq!(removed, vec![out.join("b.csv"), out.join("figures/old.png")]);
        assert!(out.join("a.csv").exists() && out.join("notes.txt").exists() && !out.join("b.csv").exists());
        let _ = std::fs::remove_dir_all(&out);
    }
}
