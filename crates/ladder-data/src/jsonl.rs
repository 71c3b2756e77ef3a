//! JSON Lines: one record per non-blank line, each parsed into `T`; a bad line refuses the
//! file, naming it and the 1-based line number.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::DataError;

/// The records of `text` (read from `path`) with their line numbers. `what` says what a line
/// should be, for the error message.
pub fn records<T: DeserializeOwned>(path: &Path, text: &str, what: &str) -> Result<Vec<(usize, T)>, DataError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map(|record| (i + 1, record)).map_err(|e| DataError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
                why: format!("expected {what}: {e}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Doc {
        text: String,
    }

    #[test]
    fn records_skip_blank_lines_and_name_the_bad_one() {
        let ok: Vec<(usize, Doc)> = records(Path::new("a.jsonl"), "{\"text\": \"x\"}\n\n{\"text\": \"y\"}\n", "a document").unwrap();
        assert_eq!(ok.iter().map(|(l, d)| (*l, d.text.as_str())).collect::<Vec<_>>(), vec![(1, "x"), (3, "y")]);
        let err = records::<Doc>(Path::new("a.jsonl"), "{\"text\": \"x\"}\n{\"text\": 3}\n", "a document").unwrap_err().to_string();
        assert!(err.starts_with("a.jsonl:2: expected a document"), "{err}");
    }
}
