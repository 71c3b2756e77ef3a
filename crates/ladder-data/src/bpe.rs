//! A byte-level BPE trained on a sample of the mix, for vocabularies small enough for micro
//! models (≈1k–8k entries, `ladder-recipe.md` §10.3).
//!
//! Pre-tokenization follows GPT-2 in form: a word is an optional single leading space and then
//! a run of letters, of digits, or of other non-space characters; a run of spaces before a word
//! gives its last space to the word. Merges are learnt greedily on word counts (ties broken by
//! the smaller pair, so training is deterministic). Saved as a Hugging Face `tokenizer.json`
//! (model BPE over the GPT-2 byte-to-unicode alphabet) and loaded back from it.

use std::collections::HashMap;
use std::path::Path;

use crate::{DataError, Tokenizer};

/// Bytes of mix text a BPE learns its merges on, unless told otherwise.
pub const SAMPLE_BYTES: usize = 8_000_000;

/// A trained byte-level BPE: ids 0–255 are bytes, then one id per merge, then EOS and PAD.
#[derive(Debug, Clone, PartialEq)]
pub struct BpeTokenizer {
    merges: Vec<(u32, u32)>,
    ranks: HashMap<(u32, u32), u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Letter,
    Digit,
    Space,
    Other,
}

fn class(c: char) -> Class {
    if c.is_alphabetic() {
        Class::Letter
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Other
    }
}

/// Split text into pre-tokenization words (their concatenation is the text).
pub fn words(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = chars[i].0;
        let c = class(chars[i].1);
        let mut j = i + 1;
        if c == Class::Space {
            while j < chars.len() && class(chars[j].1) == Class::Space {
                j += 1;
            }
            // Leave a single ' ' before a word to that word.
            if j < chars.len() && chars[j - 1].1 == ' ' {
                if j - 1 > i {
                    out.push(&text[start..chars[j - 1].0]);
                }
                i = j - 1;
                let word_class = class(chars[j].1);
                let mut k = j + 1;
                while k < chars.len() && class(chars[k].1) == word_class {
                    k += 1;
                }
                out.push(&text[chars[i].0..chars.get(k).map_or(text.len(), |x| x.0)]);
                i = k;
                continue;
            }
        } else {
            while j < chars.len() && class(chars[j].1) == c {
                j += 1;
            }
        }
        out.push(&text[start..chars.get(j).map_or(text.len(), |x| x.0)]);
        i = j;
    }
    out
}

fn merge_word(word: &[u32], pair: (u32, u32), id: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(word.len());
    let mut i = 0;
    while i < word.len() {
        if i + 1 < word.len() && (word[i], word[i + 1]) == pair {
            out.push(id);
            i += 2;
        } else {
            out.push(word[i]);
            i += 1;
        }
    }
    out
}

impl BpeTokenizer {
    /// Learn merges on `texts` until the vocabulary (256 bytes + merges + EOS + PAD) holds
    /// `vocab_size` entries, or every word is a single token (a tiny corpus: fewer entries).
    pub fn train<'a>(texts: impl Iterator<Item = &'a str>, vocab_size: usize) -> Result<Self, DataError> {
        if !(260..=65_536).contains(&vocab_size) {
            return Err(DataError::Config(format!("BPE vocabulary {vocab_size}: expected 260–65536 (256 bytes + 2 specials + merges)")));
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for text in texts {
            for w in words(text) {
                *counts.entry(w).or_default() += 1;
            }
        }
        let mut corpus: Vec<(Vec<u32>, usize)> = counts.into_iter().map(|(w, n)| (w.bytes().map(u32::from).collect(), n)).collect();
        corpus.sort();
        let mut merges = Vec::new();
        while 256 + merges.len() + 2 < vocab_size {
            let mut pairs: HashMap<(u32, u32), usize> = HashMap::new();
            for (w, n) in &corpus {
                for p in w.windows(2) {
                    *pairs.entry((p[0], p[1])).or_default() += n;
                }
            }
            let Some((&best, _)) = pairs.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else { break };
            let id = 256 + merges.len() as u32;
            for (w, _) in corpus.iter_mut() {
                if w.windows(2).any(|p| (p[0], p[1]) == best) {
                    *w = merge_word(w, best, id);
                }
            }
            merges.push(best);
        }
        Ok(Self::from_merges(merges))
    }

    pub(crate) fn from_merges(merges: Vec<(u32, u32)>) -> Self {
        let ranks = merges.iter().enumerate().map(|(r, &p)| (p, r as u32)).collect();
        Self { merges, ranks }
    }

    fn encode_word(&self, word: &str) -> Vec<u32> {
        let mut ids: Vec<u32> = word.bytes().map(u32::from).collect();
        loop {
            let best = ids.windows(2).filter_map(|p| self.ranks.get(&(p[0], p[1])).map(|&r| (r, (p[0], p[1])))).min();
            match best {
                Some((rank, pair)) => ids = merge_word(&ids, pair, 256 + rank),
                None => return ids,
            }
        }
    }

    fn bytes_of(&self, id: u32, out: &mut Vec<u8>) {
        if id < 256 {
            out.push(id as u8);
        } else if let Some(&(a, b)) = self.merges.get((id - 256) as usize) {
            self.bytes_of(a, out);
            self.bytes_of(b, out);
        }
    }

    /// Write a Hugging Face `tokenizer.json`.
    pub fn save(&self, path: &Path) -> Result<(), DataError> {
        let alphabet = byte_alphabet();
        let piece = |id: u32| {
            let mut bytes = Vec::new();
            self.bytes_of(id, &mut bytes);
            bytes.iter().map(|&b| alphabet[b as usize]).collect::<String>()
        };
        let mut vocab = serde_json::Map::new();
        for id in 0..256 + self.merges.len() as u32 {
            vocab.insert(piece(id), id.into());
        }
        let merges: Vec<String> = self.merges.iter().map(|&(a, b)| format!("{} {}", piece(a), piece(b))).collect();
        let (eos, pad) = (self.eos(), self.eos() + 1);
        let json = serde_json::json!({
            "version": "1.0",
            "added_tokens": [
                {"id": eos, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": pad, "content": "<|pad|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
            ],
            "normalizer": null,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "vocab": vocab, "merges": merges}
        });
        let text = serde_json::to_string_pretty(&json).expect("json serialises");
        ladder_core::fsio::write_atomic(path, text).map_err(|source| DataError::Io { path: path.to_path_buf(), source })
    }

    /// Read a `tokenizer.json` written by [`save`](Self::save). Anything else is refused with the
    /// reason: another model type or pre-tokenizer, bytes not at ids 0–255 in GPT-2's byte order
    /// (another model's vocabulary), or a merge whose parts are not earlier entries or whose
    /// result is not the next id (a cyclic or reordered merge list).
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.to_path_buf(), source })?;
        let bad = |why: String| DataError::BadLine { path: path.to_path_buf(), line: 1, why };
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let model = &json["model"];
        if model["type"].as_str() != Some("BPE") || json["pre_tokenizer"]["type"].as_str() != Some("ByteLevel") {
            return Err(bad(format!(
                "expected a byte-level BPE tokenizer written by `ladder` (model.type BPE, pre_tokenizer ByteLevel), found model.type {} and pre_tokenizer {}",
                model["type"], json["pre_tokenizer"]["type"]
            )));
        }
        let vocab = model["vocab"].as_object().ok_or_else(|| bad("no model.vocab".into()))?;
        let merges = model["merges"].as_array().ok_or_else(|| bad("no model.merges".into()))?;
        let id = |s: &str| {
            vocab.get(s).and_then(|v| v.as_u64()).map(|v| v as u32).ok_or_else(|| bad(format!("merge piece {s:?} not in the vocabulary")))
        };
        for (byte, c) in byte_alphabet().into_iter().enumerate() {
            let found = vocab.get(&c.to_string()).and_then(|v| v.as_u64());
            if found != Some(byte as u64) {
                return Err(bad(format!("byte {byte} ({c:?}) has id {found:?}, expected {byte}: not a vocabulary this toolkit wrote (another model's tokenizer?)")));
            }
        }
        if vocab.len() != 256 + merges.len() {
            return Err(bad(format!(
                "{} vocabulary entries for {} merges: expected 256 bytes + one entry per merge",
                vocab.len(),
                merges.len()
            )));
        }
        let mut pairs = Vec::new();
        for (i, m) in merges.iter().enumerate() {
            let m = m.as_str().ok_or_else(|| bad(format!("merge {i} is not a string")))?;
            let (a, b) = m.split_once(' ').ok_or_else(|| bad(format!("merge {i} {m:?} is not two pieces separated by a space")))?;
            let (ia, ib, own) = (id(a)?, id(b)?, 256 + i as u32);
            if ia >= own || ib >= own {
                return Err(bad(format!(
                    "merge {i} {m:?} uses id {}, not an earlier entry (a merge may only join entries before its own id {own})",
                    ia.max(ib)
                )));
            }
            let joined = format!("{a}{b}");
            if vocab.get(&joined).and_then(|v| v.as_u64()) != Some(own as u64) {
                return Err(bad(format!(
                    "merge {i} {m:?} should make entry {own} ({joined:?}), which the vocabulary does not hold at that id"
                )));
            }
            pairs.push((ia, ib));
        }
        Ok(Self::from_merges(pairs))
    }
}

/// GPT-2's printable stand-ins for the 256 bytes (the alphabet of byte-level `tokenizer.json`).
fn byte_alphabet() -> Vec<char> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32).chain(0xA1..=0xAC).chain(0xAE..=0xFF).collect();
    let mut chars: Vec<u32> = printable.clone();
    let mut extra = 0;
    for b in 0..256u32 {
        if !printable.contains(&b) {
            printable.push(b);
            chars.push(256 + extra);
            extra += 1;
        }
    }
    let mut alphabet = vec![' '; 256];
    for (b, c) in printable.iter().zip(chars) {
        alphabet[*b as usize] = char::from_u32(c).expect("valid char");
    }
    alphabet
}

impl Tokenizer for BpeTokenizer {
    fn encode(&self, text: &str) -> Vec<u32> {
        words(text).into_iter().flat_map(|w| self.encode_word(w)).collect()
    }

    fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids.iter().filter(|&&id| id < self.eos()) {
            self.bytes_of(id, &mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn eos(&self) -> u32 {
        256 + self.merges.len() as u32
    }

    fn vocab_size(&self) -> usize {
        256 + self.merges.len() + 2
    }

    fn name(&self) -> String {
        format!("bpe{}", self.vocab_size())
    }

    /// The name and a hash of the merges, which fix the encoding.
    fn fingerprint(&self) -> String {
        let hash = self
            .merges
            .iter()
            .fold(0xcbf2_9ce4_8422_2325, |h, &(a, b)| crate::token_cache::fnv1a(h, &[a.to_le_bytes(), b.to_le_bytes()].concat()));
        format!("{}-{hash:016x}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The cat sat on the mat.  The cat ate 12345 rats; the rats were fat!\n\tCats, mats and hats.";

    #[test]
    fn words_cover_the_text_and_keep_the_leading_space() {
        let w = words(TEXT);
        assert_eq!(w.concat(), TEXT);
        assert_eq!(&w[..4], &["The", " cat", " sat", " on"]);
        assert!(w.contains(&" ") && w.contains(&" 12345"));
    }

    #[test]
    fn training_is_deterministic_round_trips_and_saves() {
        let texts = [TEXT; 50];
        let bpe = BpeTokenizer::train(texts.iter().copied(), 280).unwrap();
        assert_eq!(bpe.vocab_size(), 280);
        assert_eq!(bpe, BpeTokenizer::train(texts.iter().copied(), 280).unwrap());
        // Asking for more than the text supports stops when every word is one token.
        assert!(BpeTokenizer::train(texts.iter().copied(), 1000).unwrap().vocab_size() < 1000);
        let ids = bpe.encode(TEXT);
        assert!(ids.len() < TEXT.len() / 2, "{} ids for {} bytes", ids.len(), TEXT.len());
        assert_eq!(bpe.decode(&ids), TEXT);
        let odd = "naïve — 日本語 ✓";
        assert_eq!(bpe.decode(&bpe.encode(odd)), odd);
        let path = std::env::temp_dir().join(format!("ladder-bpe-{}.json", std::process::id()));
        bpe.save(&path).unwrap();
        let back = BpeTokenizer::load(&path).unwrap();
        assert_eq!(back.encode(TEXT), ids);
        std::fs::remove_file(&path).unwrap();
        assert!(BpeTokenizer::train(texts.iter().copied(), 100).is_err());
    }

    /// Rewrites a saved tokenizer.json with `edit` and returns the load error.
    fn load_error(bpe: &BpeTokenizer, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let path = std::env::temp_dir().join(format!("ladder-bpe-{name}-{}.json", std::process::id()));
        bpe.save(&path).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut json);
        std::fs::write(&path, json.to_string()).unwrap();
        let err = BpeTokenizer::load(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        err
    }

    #[test]
    fn foreign_and_inconsistent_tokenizer_files_are_refused() {
        let bpe = BpeTokenizer::train([TEXT; 50].iter().copied(), 280).unwrap();
        let err = load_error(&bpe, "wordpiece", |j| j["model"]["type"] = "WordPiece".into());
        assert!(err.contains("expected a byte-level BPE") && err.contains("WordPiece"), "{err}");
        // Another model's vocabulary: the same pieces at other ids.
        let err = load_error(&bpe, "foreign", |j| {
            let vocab = j["model"]["vocab"].as_object_mut().unwrap();
            for v in vocab.values_mut() {
                *v = (v.as_u64().unwrap() + 3).into();
            }
        });
        assert!(err.contains("byte 0") && err.contains("another model"), "{err}");
        // A merge that uses itself: merge 0 joins entry 256 (its own result) with a byte.
        let err = load_error(&bpe, "cycle", |j| {
            let merges = j["model"]["merges"].as_array_mut().unwrap();
            let first = merges[0].as_str().unwrap().to_string();
            let (a, b) = first.split_once(' ').unwrap();
            merges[0] = format!("{a}{b} {b}").into();
        });
        assert!(err.contains("merge 0") && err.contains("not an earlier entry"), "{err}");
        // Two merges swapped: each makes the other's entry.
        let err = load_error(&bpe, "order", |j| j["model"]["merges"].as_array_mut().unwrap().swap(0, 1));
        assert!(err.contains("merge 0") && (err.contains("should make entry 256") || err.contains("not an earlier entry")), "{err}");
    }
}
