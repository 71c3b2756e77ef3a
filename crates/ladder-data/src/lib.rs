//! Training data for ladder runs.
//!
//! * [`tokenizer`]: the [`Tokenizer`] trait and a byte-level tokenizer (256 bytes + EOS + PAD).
//! * [`corpus`]: documents from text or JSONL (`{"text": ...}`) files.
//! * [`prepare`]: registry packages → cleaned JSONL corpora with a manifest (`ladder data
//!   prepare`).
//! * [`windows`]: documents packed into fixed-length windows with EOS between them, and one
//!   seeded global order of windows shared by every run (a shorter run sees a prefix of a longer
//!   run's data), with held-out validation windows that no run trains on.

pub mod corpus;
pub mod error;
pub mod prepare;
pub mod tokenizer;
pub mod windows;

pub use corpus::Corpus;
pub use error::DataError;
pub use tokenizer::{ByteTokenizer, Tokenizer};
pub use windows::PackedWindows;
