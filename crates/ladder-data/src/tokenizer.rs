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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_any_text() {
        let text = "Größe — ħ · 日本語\n\ttabs";
        let ids = ByteTokenizer.encode(text);
        assert_eq!(ids.len(), text.len());
        assert_eq!(ByteTokenizer.decode(&ids), text);
        assert_eq!(ByteTokenizer.decode(&[104, 105, ByteTokenizer::EOS]), "hi");
    }
}
