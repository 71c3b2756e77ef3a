//! Tokenizers behind one trait.

/// Text ↔ token ids.
pub trait Tokenizer: Send + Sync {
    /// Ids of a text (no specials added).
    fn encode(&self, text: &str) -> Vec<u32>;
    /// Text of ids (specials dropped; invalid UTF-8 replaced).
    fn decode(&self, ids: &[u32]) -> String;
    /// The end-of-document id, placed between packed documents.
    fn eos(&self) -> u32;
    /// Number of ids the model's embedding must hold.
    fn vocab_size(&self) -> usize;
    /// A short name for run configs (`bytes`, `cl100k`, ...).
    fn name(&self) -> String;
    /// What identifies the encoding exactly (keys the [`TokenCache`](crate::token_cache::TokenCache));
    /// the name, for tokenizers whose name fixes their ids.
    fn fingerprint(&self) -> String {
        self.name()
    }
}

/// Bytes as tokens: ids 0–255 are bytes, 256 is EOS, 257 PAD (the recipe's fallback, §10.3).
/// BPB is trivial with it: one token per byte.
#[derive(Debug, Clone, Copy, Default)]
pub struct ByteTokenizer;

impl ByteTokenizer {
    /// End of document.
    pub const EOS: u32 = 256;
    /// Padding.
    pub const PAD: u32 = 257;
}

impl Tokenizer for ByteTokenizer {
    fn encode(&self, text: &str) -> Vec<u32> {
        text.bytes().map(u32::from).collect()
    }

    fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().filter(|&&id| id < 256).map(|&id| id as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn eos(&self) -> u32 {
        Self::EOS
    }

    fn vocab_size(&self) -> usize {
        258
    }

    fn name(&self) -> String {
        "bytes".into()
    }
}

/// A BPE whose ranks ship inside the `tiktoken-rs` crate.
#[derive(Clone, Copy)]
pub struct TiktokenTokenizer {
    name: &'static str,
    bpe: &'static tiktoken_rs::CoreBPE,
    eos: u32,
    vocab: usize,
}

impl std::fmt::Debug for TiktokenTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TiktokenTokenizer").field("name", &self.name).field("vocab", &self.vocab).finish()
    }
}

impl TiktokenTokenizer {
    /// cl100k: the same ids as the paper's dolma2 tokenizer (EOS 100257); the embedding is
    /// padded to 100,352 rows as in the paper.
    pub fn cl100k() -> Self {
        Self { name: "cl100k", bpe: tiktoken_rs::cl100k_base_singleton(), eos: 100_257, vocab: 100_352 }
    }

    /// GPT-2 (r50k, EOS 50256), padded to 50,304 rows (a multiple of 128).
    pub fn gpt2() -> Self {
        Self { name: "gpt2", bpe: tiktoken_rs::r50k_base_singleton(), eos: 50_256, vocab: 50_304 }
    }
}

impl Tokenizer for TiktokenTokenizer {
    fn encode(&self, text: &str) -> Vec<u32> {
        self.bpe.encode_ordinary(text)
    }

    fn decode(&self, ids: &[u32]) -> String {
        let ordinary: Vec<u32> = ids.iter().copied().filter(|&id| id != self.eos).collect();
        // Ids split inside a UTF-8 character decode lossily rather than fail.
        match self.bpe.decode_bytes(&ordinary) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => String::new(),
        }
    }

    fn eos(&self) -> u32 {
        self.eos
    }

    fn vocab_size(&self) -> usize {
        self.vocab
    }

    fn name(&self) -> String {
        self.name.into()
    }
}

/// Which tokenizer, as experiment files and the command line name it: `bytes`, `cl100k`, `gpt2`,
/// the path of a `tokenizer.json` trained by `ladder data tokenizer`, or `bpe:<entries>` (a BPE
/// an experiment trains on its mix).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(try_from = "String", into = "String")]
pub enum TokenizerSpec {
    /// Bytes as tokens.
    Bytes,
    /// tiktoken's cl100k (the paper's dolma2 ids).
    Cl100k,
    /// GPT-2's r50k.
    Gpt2,
    /// A trained BPE in a `tokenizer.json`.
    File(std::path::PathBuf),
    /// A BPE of this many entries, still to be trained.
    Bpe {
        /// Vocabulary entries, specials included.
        entries: usize,
    },
}

impl std::str::FromStr for TokenizerSpec {
    type Err = crate::DataError;

    fn from_str(name: &str) -> Result<TokenizerSpec, crate::DataError> {
        let bad = |why: &str| crate::DataError::Config(format!("tokenizer {name:?}: {why}"));
        Ok(match name {
            "bytes" => TokenizerSpec::Bytes,
            "cl100k" => TokenizerSpec::Cl100k,
            "gpt2" => TokenizerSpec::Gpt2,
            path if path.ends_with(".json") => TokenizerSpec::File(path.into()),
            other => match other.strip_prefix("bpe:") {
                Some(n) => TokenizerSpec::Bpe { entries: n.parse().map_err(|_| bad("expected bpe:<number of entries>"))? },
                None => return Err(bad("unknown; available: bytes, cl100k, gpt2, a tokenizer.json path, or bpe:<entries>")),
            },
        })
    }
}

impl TryFrom<String> for TokenizerSpec {
    type Error = crate::DataError;

    fn try_from(name: String) -> Result<TokenizerSpec, crate::DataError> {
        name.parse()
    }
}

impl std::fmt::Display for TokenizerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenizerSpec::Bytes => f.write_str("bytes"),
            TokenizerSpec::Cl100k => f.write_str("cl100k"),
            TokenizerSpec::Gpt2 => f.write_str("gpt2"),
            TokenizerSpec::File(path) => write!(f, "{}", path.display()),
            TokenizerSpec::Bpe { entries } => write!(f, "bpe:{entries}"),
        }
    }
}

impl From<TokenizerSpec> for String {
    fn from(spec: TokenizerSpec) -> String {
        spec.to_string()
    }
}

impl TokenizerSpec {
    /// The tokenizer (a `bpe:` one must be trained first: an error names it).
    pub fn load(&self) -> Result<Box<dyn Tokenizer>, crate::DataError> {
        Ok(match self {
            TokenizerSpec::Bytes => Box::new(ByteTokenizer),
            TokenizerSpec::Cl100k => Box::new(TiktokenTokenizer::cl100k()),
            TokenizerSpec::Gpt2 => Box::new(TiktokenTokenizer::gpt2()),
            TokenizerSpec::File(path) => Box::new(crate::BpeTokenizer::load(path)?),
            TokenizerSpec::Bpe { entries } => {
                return Err(crate::DataError::Config(format!(
                    "tokenizer bpe:{entries} is trained by `ladder run` on its experiment's mix; name the tokenizer.json it wrote"
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bpe_tokenizers_round_trip_and_know_their_ids() {
        let text = "The quick brown fox jumps over the lazy dog. Größe: 日本語!\n\tfn main() {}";
        for tok in [TiktokenTokenizer::cl100k(), TiktokenTokenizer::gpt2()] {
            let ids = tok.encode(text);
            assert!(ids.len() < text.len() / 2, "{}: {} ids", tok.name(), ids.len());
            assert_eq!(tok.decode(&ids), text, "{}", tok.name());
            assert!(ids.iter().all(|&id| (id as usize) < tok.vocab_size()));
        }
        // GPT-2's ids of "Hello world" are 15496, 995 (and cl100k's 9906, 1917).
        assert_eq!(TiktokenTokenizer::gpt2().encode("Hello world"), vec![15496, 995]);
        assert_eq!(TiktokenTokenizer::cl100k().encode("Hello world"), vec![9906, 1917]);
        assert!("sentencepiece".parse::<TokenizerSpec>().is_err());
        let untrained: TokenizerSpec = "bpe:1024".parse().unwrap();
        assert!(untrained.load().err().unwrap().to_string().contains("trained by `ladder run`"));
        for name in ["bytes", "cl100k", "gpt2", "dir/tokenizer.json", "bpe:1024"] {
            assert_eq!(name.parse::<TokenizerSpec>().unwrap().to_string(), name);
        }
        assert!("bpe:many".parse::<TokenizerSpec>().unwrap_err().to_string().contains("bpe:<number of entries>"));
    }

    #[test]
    fn bytes_round_trip_any_text() {
        let text = "Größe — ħ · 日本語\n\ttabs";
        let ids = ByteTokenizer.encode(text);
        assert_eq!(ids.len(), text.len());
        assert_eq!(ByteTokenizer.decode(&ids), text);
        assert_eq!(ByteTokenizer.decode(&[104, 105, ByteTokenizer::EOS]), "hi");
    }
}
