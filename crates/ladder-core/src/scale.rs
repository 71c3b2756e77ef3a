//! Model scale: non-embedding parameters N, FLOPs per token, and compute C = D × F.

/// One model size of the paper's tables (method.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSize {
    /// Size name as used in config names (`190M`, `1.3B`, `7B`, ...).
    pub name: &'static str,
    /// Non-embedding parameter count.
    pub n: f64,
    /// Training FLOPs per token (`MODEL_FLOPS`; not 6N).
    pub flops_per_token: f64,
}

/// The paper's size table (including the unused 600M and 3.2B rows).
pub const PAPER_SIZES: &[ModelSize] = &[
    ModelSize { name: "190M", n: 190_354_176.0, flops_per_token: 1_903_391_232.0 },
    ModelSize { name: "370M", n: 371_262_464.0, flops_per_token: 3_443_922_944.0 },
    ModelSize { name: "600M", n: 597_382_464.0, flops_per_token: 5_180_751_744.0 },
    ModelSize { name: "760M", n: 758_220_288.0, flops_per_token: 6_373_843_968.0 },
    ModelSize { name: "1.3B", n: 1_279_395_840.0, flops_per_token: 10_109_071_360.0 },
    ModelSize { name: "3.2B", n: 3_169_537_280.0, flops_per_token: 22_970_355_200.0 },
    ModelSize { name: "7B", n: 6_887_575_552.0, flops_per_token: 49_412_071_424.0 },
    ModelSize { name: "13B", n: 13_202_396_160.0, flops_per_token: 91_335_915_520.0 },
];

/// Looks a size up by a config name, using the part before the first `-` (`7B-4T` → `7B`).
pub fn paper_size(config_name: &str) -> Option<&'static ModelSize> {
    let prefix = config_name.split('-').next().unwrap_or(config_name);
    PAPER_SIZES.iter().find(|s| s.name == prefix)
}
