//! The size tables: the paper's ladder and targets (§1.1) and the CPU micro ladder (§10.4).

use crate::{ModelShape, ScheduleError};

/// Padded vocabulary of the paper's models (dolma2 tokenizer, 100,278 rounded up to ×128).
pub const PAPER_VOCAB: usize = 100_352;
/// Sequence length of every paper model.
pub const PAPER_SEQ_LEN: usize = 4096;
/// Vocabulary of the micro ladder (a 1,024-entry byte-level BPE, specials included).
pub const MICRO_VOCAB: usize = 1024;
/// Sequence length of the micro ladder.
pub const MICRO_SEQ_LEN: usize = 512;

/// A named model size.
#[derive(Debug, Clone, PartialEq)]
pub struct Size {
    /// The name used on the command line and in run ids (the code's name: `1B`, `u100k`).
    pub name: &'static str,
    /// Other accepted names (the paper's label: `1.3B`; `μ100k`).
    pub aliases: &'static [&'static str],
    /// Its dimensions.
    pub shape: ModelShape,
    /// Whether the ladder rules (batch, LR, xC budgets) apply; false for the paper's targets,
    /// which were production runs with their own recipe (§6).
    pub ladder_rung: bool,
}

fn paper(
    name: &'static str,
    aliases: &'static [&'static str],
    d: usize,
    layers: usize,
    heads: usize,
    inner: usize,
    ladder_rung: bool,
) -> Size {
    let shape = ModelShape { d_model: d, n_layers: layers, n_heads: heads, mlp_inner: inner, vocab: PAPER_VOCAB, seq_len: PAPER_SEQ_LEN };
    Size { name, aliases, shape, ladder_rung }
}

fn micro(name: &'static str, aliases: &'static [&'static str], d: usize, layers: usize, heads: usize) -> Size {
    let shape = ModelShape { d_model: d, n_layers: layers, n_heads: heads, mlp_inner: 4 * d, vocab: MICRO_VOCAB, seq_len: MICRO_SEQ_LEN };
    Size { name, aliases, shape, ladder_rung: true }
}

/// The paper's sizes: the four fitted rungs, the two trained but unfitted ones (600M, 3B) and
/// the two targets (7B, 13B).
pub fn paper_sizes() -> Vec<Size> {
    vec![
        paper("190M", &[], 768, 12, 12, 3072, true),
        paper("370M", &[], 1024, 16, 16, 4096, true),
        paper("600M", &[], 1344, 16, 16, 5376, true),
        paper("760M", &[], 1536, 16, 16, 6144, true),
        paper("1B", &["1.3B"], 2048, 16, 16, 8192, true),
        paper("3B", &["3.2B"], 3328, 16, 16, 13312, true),
        paper("7B", &[], 4096, 32, 32, 11008, false),
        paper("13B", &[], 5120, 40, 40, 13824, false),
    ]
}

/// The micro ladder of §10.4: head dim 16, MLP inner 4d, V = 1024, L = 512; below it
/// two-layer rungs for ladders a CPU trains in minutes to an hour (the quickstart's u25k–u65k,
/// the CPU ladder's u10k–u17k with its u80k target, the wide CPU ladder's u197k target, the mid
/// CPU ladder's u99k target: 4× u25k, the largest two-layer model whose 10xC the mix holds;
/// head dim 14; the micro-task ladder's u5k–u21k rungs (4.5×) and its u85k target, 4.1× u21k,
/// whose 10xC the mix holds without its reserved documents). Their LM head is most of N, so they test
/// the machinery more than the scaling of real models.
pub fn micro_sizes() -> Vec<Size> {
    vec![
        micro("u5k", &[], 4, 2, 1),
        micro("u10k", &[], 8, 2, 1),
        micro("u14k", &[], 10, 2, 1),
        micro("u17k", &[], 12, 2, 1),
        micro("u21k", &[], 14, 2, 1),
        micro("u25k", &[], 16, 2, 1),
        micro("u45k", &[], 24, 2, 2),
        micro("u65k", &[], 32, 2, 2),
        micro("u80k", &[], 32, 3, 2),
        micro("u85k", &[], 38, 2, 1),
        micro("u197k", &[], 64, 2, 4),
        micro("u99k", &[], 42, 2, 3),
        micro("u100k", &["μ100k"], 32, 4, 2),
        micro("u200k", &["μ200k"], 48, 4, 3),
        micro("u400k", &["μ400k"], 64, 5, 4),
        micro("u800k", &["μ800k"], 96, 5, 6),
        micro("u1.7M", &["μ1.7M"], 128, 6, 8),
        micro("u3.4M", &["μ3.4M"], 160, 8, 10),
        micro("u10M", &["μ10M"], 256, 9, 16),
    ]
}

/// Look a size up by name or alias in both tables.
pub fn size(name: &str) -> Result<Size, ScheduleError> {
    let all: Vec<Size> = paper_sizes().into_iter().chain(micro_sizes()).collect();
    all.iter().find(|s| s.name == name || s.aliases.contains(&name)).cloned().ok_or_else(|| ScheduleError::UnknownRung {
        name: name.to_string(),
        known: all.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §1.1: N (fit), input embedding, total parameters and per-token FLOPs of every size.
    #[test]
    fn parameter_counts_and_flops_equal_the_paper_table() {
        let table: [(&str, u64, u64, u64, u64); 8] = [
            ("190M", 190_354_176, 77_070_336, 267_424_512, 1_903_391_232),
            ("370M", 371_262_464, 102_760_448, 474_022_912, 3_443_922_944),
            ("600M", 597_382_464, 134_873_088, 732_255_552, 5_180_751_744),
            ("760M", 758_220_288, 154_140_672, 912_360_960, 6_373_843_968),
            ("1.3B", 1_279_395_840, 205_520_896, 1_484_916_736, 10_109_071_360),
            ("3.2B", 3_169_537_280, 333_971_456, 3_503_508_736, 22_970_355_200),
            ("7B", 6_887_575_552, 411_041_792, 7_298_617_344, 49_412_071_424),
            ("13B", 13_202_396_160, 513_802_240, 13_716_198_400, 91_335_915_520),
        ];
        for (name, n, emb, total, flops) in table {
            let shape = size(name).unwrap().shape;
            assert_eq!(shape.non_embedding_params(), n, "{name} N");
            assert_eq!(shape.embedding_params(), emb, "{name} embedding");
            assert_eq!(shape.total_params(), total, "{name} total");
            assert_eq!(shape.flops_per_token(), flops, "{name} FLOPs per token");
        }
    }

    /// §10.4: N (fit) of the micro rungs.
    #[test]
    fn micro_parameter_counts_equal_the_recipe() {
        let expected = [
            ("u100k", 98_848u64),
            ("u200k", 197_424),
            ("u400k", 394_560),
            ("u800k", 837_600),
            ("u1.7M", 1_707_136),
            ("u3.4M", 3_445_920),
            ("u10M", 9_708_800),
        ];
        for (name, n) in expected {
            let shape = size(name).unwrap().shape;
            assert_eq!(shape.non_embedding_params(), n, "{name}");
            assert_eq!(shape.head_dim(), 16, "{name}");
        }
    }

    /// The small CPU rungs, counted by hand: per layer 4d² (attention) + 3·d·4d (SwiGLU) + 4d
    /// (norms), the final norm d and the head d·1024 (u25k: 2·4160 + 16 + 16384).
    #[test]
    fn small_cpu_rungs_have_the_hand_counted_n() {
        for (name, d, layers, n) in [
            ("u10k", 8u64, 2u64, 10_312u64),
            ("u14k", 10, 2, 13_530),
            ("u17k", 12, 2, 17_004),
            ("u25k", 16, 2, 24_720),
            ("u45k", 24, 2, 43_224),
            ("u65k", 32, 2, 65_824),
            ("u80k", 32, 3, 82_336),
            ("u197k", 64, 2, 197_184),
            ("u99k", 42, 2, 99_834),
            ("u5k", 4, 2, 4_644),
            ("u21k", 14, 2, 20_734),
            ("u85k", 38, 2, 85_462),
        ] {
            assert_eq!(layers * (16 * d * d + 4 * d) + d + d * 1024, n, "{name} by hand");
            assert_eq!(size(name).unwrap().shape.non_embedding_params(), n, "{name}");
        }
    }

    #[test]
    fn unknown_rung_lists_the_known_ones() {
        let err = size("42M").unwrap_err().to_string();
        assert!(err.contains("42M") && err.contains("190M") && err.contains("u100k"), "{err}");
        assert_eq!(size("μ400k").unwrap().name, "u400k");
    }
}
