//! The documents of a source kept out of training for evaluation: a seeded document-level split.
//!
//! The split depends only on the source's name, its document count and the [`Reserve`], so the
//! task builder and the trainer compute the same split from the same corpus; the micro-task
//! manifest records it with the corpus checksum it was made from.

use serde::{Deserialize, Serialize};

use ladder_core::rng::SplitMix64;

/// Which share of every source's documents is reserved for evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    /// Share of the documents reserved (rounded, at least 2 and at most all but one).
    pub fraction: f64,
    /// Seed of the split.
    pub seed: u64,
}

impl Reserve {
    /// The split every micro task is built from and every mix that reserves documents leaves
    /// out: 5 % of each source's documents, seed 0.
    pub const STANDARD: Reserve = Reserve { fraction: 0.05, seed: 0 };

    /// Per document of `source` (of `documents` in corpus order): whether it is reserved.
    pub fn mask(&self, source: &str, documents: usize) -> Vec<bool> {
        let mut mask = vec![false; documents];
        if documents < 3 {
            return mask;
        }
        let count = ((self.fraction * documents as f64).round() as usize).clamp(2, documents - 1);
        let stream = crate::token_cache::fnv1a(0xcbf2_9ce4_8422_2325, source.as_bytes());
        for i in SplitMix64::new(self.seed, stream).permutation(documents).into_iter().take(count) {
            mask[i] = true;
        }
        mask
    }

    /// The documents of `source` split into (kept for training, reserved), each in corpus order.
    pub fn split<'a>(&self, source: &str, documents: &'a [String]) -> (Vec<&'a String>, Vec<&'a String>) {
        let mask = self.mask(source, documents.len());
        let (mut kept, mut reserved) = (Vec::new(), Vec::new());
        for (doc, &r) in documents.iter().zip(&mask) {
            if r {
                reserved.push(doc)
            } else {
                kept.push(doc)
            }
        }
        (kept, reserved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_seeded_per_source_and_sized() {
        let r = Reserve::STANDARD;
        let a = r.mask("wiki", 1000);
        assert_eq!(a.iter().filter(|&&x| x).count(), 50);
        assert_eq!(a, r.mask("wiki", 1000));
        assert_ne!(a, r.mask("sotu", 1000));
        assert_ne!(a, Reserve { seed: 1, ..r }.mask("wiki", 1000));
        // Small sources still reserve two documents and keep one.
        assert_eq!(r.mask("x", 3).iter().filter(|&&x| x).count(), 2);
        assert_eq!(r.mask("x", 2), vec![false, false]);
    }
}
