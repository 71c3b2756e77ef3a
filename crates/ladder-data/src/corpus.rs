//! Documents read from files: plain text (one document per file) or JSONL (`{"text": ...}` per
//! line).

use std::path::{Path, PathBuf};

use crate::DataError;

/// An ordered list of documents.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The documents' texts.
    pub documents: Vec<String>,
}

impl Corpus {
    /// Read files in the given order: `*.jsonl` line by line, anything else as one document.
    /// A malformed JSONL line refuses the load, naming file and line.
    pub fn read(paths: &[PathBuf]) -> Result<Self, DataError> {
        let mut documents = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.clone(), source })?;
            if path.extension().is_some_and(|e| e == "jsonl") {
                documents.extend(parse_jsonl(path, &text)?);
            } else if !text.trim().is_empty() {
                documents.push(text);
            }
        }
        Ok(Self { documents })
    }

    /// Total bytes of text.
    pub fn bytes(&self) -> usize {
        self.documents.iter().map(String::len).sum()
    }
}

/// One line of a corpus file.
#[derive(serde::Deserialize)]
struct Document {
    text: String,
}

fn parse_jsonl(path: &Path, text: &str) -> Result<Vec<String>, DataError> {
    Ok(crate::jsonl::records::<Document>(path, text, "a JSON object with a string field \"text\"")?
        .into_iter()
        .map(|(_, d)| d.text)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_with_a_bad_line_names_file_and_line() {
        let dir = std::env::temp_dir().join(format!("ladder-data-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.jsonl");
        std::fs::write(&good, "{\"text\": \"one\"}\n\n{\"text\": \"two\"}\n").unwrap();
        assert_eq!(Corpus::read(std::slice::from_ref(&good)).unwrap().documents, vec!["one", "two"]);
        let bad = dir.join("bad.jsonl");
        std::fs::write(&bad, "{\"text\": \"one\"}\n{\"txt\": 2}\n").unwrap();
        let err = Corpus::read(&[bad]).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:2") && err.contains("text"), "{err}");
        let missing = Corpus::read(&[dir.join("nope.txt")]).unwrap_err().to_string();
        assert!(missing.contains("nope.txt"), "{missing}");
    }
}
