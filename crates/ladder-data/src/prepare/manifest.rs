//! The manifest of prepared corpora (`cache/manifest.json`) and the JSONL writer.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SourceSpec;
use crate::DataError;

/// One prepared corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Source name.
    pub source: String,
    /// Kind of text.
    pub domain: String,
    /// Registry, package and exact version it was built from.
    pub registry: String,
    /// Package name.
    pub package: String,
    /// Package version.
    pub version: String,
    /// Licence of the text.
    pub license: String,
    /// Documents written.
    pub documents: usize,
    /// Bytes of text (UTF-8, without JSON quoting).
    pub bytes: usize,
    /// FNV-1a 64 of the JSONL file, hex.
    pub checksum: String,
    /// The extraction rule it was built with (JSON); a changed rule rebuilds the source.
    #[serde(default)]
    pub extract: String,
}

/// All prepared corpora.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Entries in preparation order.
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    /// The manifest of a cache folder (empty if there is none yet).
    pub fn load(cache: &Path) -> Result<Self, DataError> {
        let path = cache.join("manifest.json");
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(&path).map_err(|source| DataError::Io { path: path.clone(), source })?;
        serde_json::from_str(&text).map_err(|e| DataError::BadLine { path, line: e.line(), why: e.to_string() })
    }

    /// Write it back.
    pub fn save(&self, cache: &Path) -> Result<(), DataError> {
        let path = cache.join("manifest.json");
        let text = serde_json::to_string_pretty(self).expect("manifest serialises");
        ladder_core::fsio::write_atomic(&path, text).map_err(|source| DataError::Io { path, source })
    }

    /// The entry of a source.
    pub fn get(&self, source: &str) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.source == source)
    }

    /// Add or replace a source's entry.
    pub fn insert(&mut self, entry: ManifestEntry) {
        match self.entries.iter_mut().find(|e| e.source == entry.source) {
            Some(old) => *old = entry,
            None => self.entries.push(entry),
        }
    }
}

/// The extraction rule of a source as the manifest records it.
pub fn extract_key(spec: &SourceSpec) -> String {
    serde_json::to_string(&spec.extract).expect("extract rules serialise")
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Write documents as `{"text": ...}` lines (into a temporary file, then renamed) and describe them.
pub fn write_jsonl(spec: &SourceSpec, documents: &[String], path: &Path) -> Result<ManifestEntry, DataError> {
    let dir = path.parent().expect("corpus path has a folder");
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io { path: dir.to_path_buf(), source })?;
    let mut text = Vec::new();
    for doc in documents {
        serde_json::to_writer(&mut text, &serde_json::json!({ "text": doc })).expect("strings serialise");
        text.push(b'\n');
    }
    ladder_core::fsio::write_atomic(path, &text).map_err(|source| DataError::Io { path: path.to_path_buf(), source })?;
    Ok(ManifestEntry {
        source: spec.name.clone(),
        domain: spec.domain.clone(),
        registry: format!("{:?}", spec.registry).to_lowercase(),
        package: spec.package.clone(),
        version: spec.version.clone(),
        license: spec.license.clone(),
        documents: documents.len(),
        bytes: documents.iter().map(String::len).sum(),
        checksum: format!("{:016x}", fnv1a64(&text)),
        extract: extract_key(spec),
    })
}
