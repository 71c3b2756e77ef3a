//! Token streams of corpus files kept on disk, so that the runs of a ladder tokenize their mix
//! once instead of once per run (≈ 8 s per run for the 50 MB micro mix with a BPE; minutes at
//! the §10 micro ladder's 341M tokens).
//!
//! An entry is `<cache>/tokens/<label>-<key>.u32`: the magic `LTOKENS1`, the token count (u64),
//! then the ids (u32), all little-endian. The key hashes the tokenizer's
//! [`fingerprint`](Tokenizer::fingerprint) and every file's path, size and modification time, so
//! a changed file or tokenizer makes a new entry. A missing, truncated or foreign entry is
//! encoded again; an entry that cannot be written only costs the next run the same encoding.

use std::path::{Path, PathBuf};

use crate::micro::Reserve;
use crate::{Corpus, DataError, Tokenizer};

const MAGIC: &[u8; 8] = b"LTOKENS1";

/// The on-disk cache of token streams under one folder.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    /// The cache in `<data cache>/tokens`.
    pub fn new(data_cache: &Path) -> Self {
        Self { dir: data_cache.join("tokens") }
    }

    /// The token stream of `files` read as one [`Corpus`]: each document's ids followed by EOS,
    /// without the documents `reserve` keeps for evaluation (the source is `label`). Read from the
    /// cache when a valid entry exists, else encoded and stored under `label`.
    pub fn stream(
        &self,
        label: &str,
        files: &[PathBuf],
        tokenizer: &dyn Tokenizer,
        reserve: Option<Reserve>,
    ) -> Result<Vec<u32>, DataError> {
        let path = self.entry(label, files, tokenizer, reserve)?;
        if let Some(tokens) = read(&path) {
            return Ok(tokens);
        }
        let tokens = encode(files, tokenizer, reserve.map(|r| (label, r)))?;
        if let Err(e) = write(&path, &tokens) {
            eprintln!("warning: token cache not written ({e}); the next run encodes {label} again");
        }
        Ok(tokens)
    }

    /// The entry's path for these files, this tokenizer and this reserve.
    pub fn entry(&self, label: &str, files: &[PathBuf], tokenizer: &dyn Tokenizer, reserve: Option<Reserve>) -> Result<PathBuf, DataError> {
        let mut key = fnv1a(FNV_OFFSET, tokenizer.fingerprint().as_bytes());
        if let Some(r) = reserve {
            key = fnv1a(key, format!("reserve {} {}", r.fraction, r.seed).as_bytes());
        }
        for file in files {
            let meta = std::fs::metadata(file).map_err(|source| DataError::Io { path: file.clone(), source })?;
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
            let absolute = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            key = fnv1a(key, absolute.to_string_lossy().as_bytes());
            key = fnv1a(key, &meta.len().to_le_bytes());
            key = fnv1a(key, &modified.to_le_bytes());
        }
        let label: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        Ok(self.dir.join(format!("{label}-{key:016x}.u32")))
    }
}

/// Each document's ids followed by EOS, in file and document order; with `reserved` (the source's
/// name and its reserve), without the reserved documents.
pub fn encode(files: &[PathBuf], tokenizer: &dyn Tokenizer, reserved: Option<(&str, Reserve)>) -> Result<Vec<u32>, DataError> {
    let mut tokens = Vec::new();
    let documents = Corpus::read(files)?.documents;
    let kept: Vec<&String> = match reserved {
        Some((source, r)) => r.split(source, &documents).0,
        None => documents.iter().collect(),
    };
    for doc in kept {
        tokens.extend(tokenizer.encode(doc));
        tokens.push(tokenizer.eos());
    }
    Ok(tokens)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bit, continued from `state`.
pub(crate) fn fnv1a(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// A valid entry's ids; `None` when the file is missing, truncated or not an entry.
fn read(path: &Path) -> Option<Vec<u32>> {
    let bytes = std::fs::read(path).ok()?;
    let (head, body) = bytes.split_at_checked(16)?;
    let count = u64::from_le_bytes(head[8..16].try_into().ok()?) as usize;
    if &head[..8] != MAGIC || body.len() != count.checked_mul(4)? {
        return None;
    }
    Some(body.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Writes an entry whole (aside, then renamed), so that concurrent runs never read half.
fn write(path: &Path, tokens: &[u32]) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(16 + 4 * tokens.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(tokens.len() as u64).to_le_bytes());
    for t in tokens {
        bytes.extend_from_slice(&t.to_le_bytes());
    }
    ladder_core::fsio::write_atomic(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BpeTokenizer, ByteTokenizer};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ladder-token-cache-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn corpus(dir: &Path) -> Vec<PathBuf> {
        let path = dir.join("a.jsonl");
        std::fs::write(&path, "{\"text\": \"the cat sat on the mat\"}\n{\"text\": \"the rat ate the cat\"}\n").unwrap();
        vec![path]
    }

    #[test]
    fn a_cached_stream_equals_a_fresh_encoding() {
        let dir = scratch("equal");
        let (files, cache) = (corpus(&dir), TokenCache::new(&dir));
        let fresh = encode(&files, &ByteTokenizer, None).unwrap();
        assert_eq!(fresh.iter().filter(|&&t| t == ByteTokenizer::EOS).count(), 2);
        let first = cache.stream("a", &files, &ByteTokenizer, None).unwrap();
        let entry = cache.entry("a", &files, &ByteTokenizer, None).unwrap();
        assert!(entry.is_file(), "{}", entry.display());
        assert_eq!(read(&entry).unwrap(), fresh, "the entry holds the stream");
        // A stored entry is what the next call returns: plant a different valid entry to see it.
        write(&entry, &[7, 8, 9]).unwrap();
        assert_eq!(cache.stream("a", &files, &ByteTokenizer, None).unwrap(), vec![7, 8, 9]);
        assert_eq!(first, fresh);
    }

    #[test]
    fn a_changed_file_or_tokenizer_makes_a_new_entry() {
        let dir = scratch("keys");
        let (files, cache) = (corpus(&dir), TokenCache::new(&dir));
        let before = cache.entry("a", &files, &ByteTokenizer, None).unwrap();
        let bpe = BpeTokenizer::from_merges(vec![(b't' as u32, b'h' as u32)]);
        let other = BpeTokenizer::from_merges(vec![(b'a' as u32, b't' as u32)]);
        assert_ne!(before, cache.entry("a", &files, &bpe, None).unwrap(), "tokenizer");
        assert_ne!(
            cache.entry("a", &files, &bpe, None).unwrap(),
            cache.entry("a", &files, &other, None).unwrap(),
            "same size, other merges"
        );
        std::fs::write(&files[0], "{\"text\": \"the cat sat on the mat, and more\"}\n").unwrap();
        let after = cache.entry("a", &files, &ByteTokenizer, None).unwrap();
        assert_ne!(before, after, "file content");
        assert_eq!(cache.stream("a", &files, &ByteTokenizer, None).unwrap(), encode(&files, &ByteTokenizer, None).unwrap());
        let reserve = Some(Reserve { fraction: 0.5, seed: 0 });
        assert_ne!(after, cache.entry("a", &files, &ByteTokenizer, reserve).unwrap(), "reserve");
    }

    #[test]
    fn a_truncated_or_foreign_entry_is_encoded_again() {
        let dir = scratch("broken");
        let (files, cache) = (corpus(&dir), TokenCache::new(&dir));
        let fresh = encode(&files, &ByteTokenizer, None).unwrap();
        let entry = cache.entry("a", &files, &ByteTokenizer, None).unwrap();
        cache.stream("a", &files, &ByteTokenizer, None).unwrap();
        let bytes = std::fs::read(&entry).unwrap();
        for broken in [bytes[..bytes.len() - 3].to_vec(), b"not an entry at all".to_vec(), Vec::new()] {
            std::fs::write(&entry, broken).unwrap();
            assert_eq!(cache.stream("a", &files, &ByteTokenizer, None).unwrap(), fresh);
            assert_eq!(read(&entry).unwrap(), fresh, "rewritten");
        }
    }

    #[test]
    fn an_unwritable_cache_still_encodes() {
        let dir = scratch("unwritable");
        let files = corpus(&dir);
        std::fs::write(dir.join("blocker"), "a file where the cache folder would be").unwrap();
        let cache = TokenCache::new(&dir.join("blocker"));
        assert_eq!(cache.stream("a", &files, &ByteTokenizer, None).unwrap(), encode(&files, &ByteTokenizer, None).unwrap());
    }
}
