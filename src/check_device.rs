//! `ladder check-device`: the same tiny training on a device and on a reference device (flex by
//! default), compared element by element; exits non-zero past the tolerance.

use std::path::PathBuf;

use anyhow::Context;
use ladder_schedule::{RuleChanges, RunPlan};
use ladder_train::device_check::{compare, trace, CheckSettings};

/// Arguments of `ladder check-device`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device checked: flex, or vulkan / wgpu / cuda (with `:N` or `:cpu`) when built with
    /// that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
    /// The reference device.
    #[arg(long, default_value = "flex")]
    pub against: crate::device::DeviceSpec,
    /// Float precision on the checked device (the reference runs in f32).
    #[arg(long, default_value_t = crate::device::Precision::F32)]
    pub precision: crate::device::Precision,
    /// The rung whose model is trained (its shape and peak LR from the ladder rules).
    #[arg(long, default_value = "u25k")]
    pub rung: String,
    /// Tokens per window.
    #[arg(long, default_value_t = 32)]
    pub seq_len: usize,
    /// Windows per batch.
    #[arg(long, default_value_t = 4)]
    pub batch: usize,
    /// Optimizer steps, each on its own batch.
    #[arg(long, default_value_t = 3)]
    pub steps: usize,
    /// Seed of the weights.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Largest accepted max|a − b| / max|a| of any quantity (f32 kernels that sum in another
    /// order differ by ~1e-6; bf16 by ~1e-2).
    #[arg(long, default_value_t = 1e-4)]
    pub tolerance: f64,
    /// Also write the table as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

/// Runs `ladder check-device`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let changes = RuleChanges { seq_len: Some(args.seq_len), lr_multiplier: None };
    let plan = RunPlan::of_rung(&args.rung, 1.0, changes, args.seed, Some(1))?;
    let settings = CheckSettings { shape: plan.shape.clone(), batch: args.batch, steps: args.steps, seed: args.seed, lr: plan.lr.peak };
    anyhow::ensure!(
        args.precision == crate::device::Precision::F32 || args.device != args.against,
        "--precision {} on {} against itself would set the precision of the reference too (one device, one precision per process); check it against another device",
        args.precision,
        args.device
    );
    // The checked device first: a precision is set before the device holds any tensor.
    let checked_device = args.device.with_precision(args.precision)?;
    let reference = trace(&args.against.device()?, &settings);
    let checked = trace(&checked_device, &settings);
    let rows = compare(&reference, &checked);
    let mut table = format!(
        "{} ({}) against {} (f32): rung {}, d {}, {} layers, batch {} × {}, {} steps, lr {:.3e}\n\n| quantity | step | values | max abs diff | max abs ({}) | relative |\n|---|---|---|---|---|---|\n",
        args.device,
        args.precision,
        args.against,
        args.rung,
        plan.shape.d_model,
        plan.shape.n_layers,
        args.batch,
        args.seq_len,
        args.steps,
        plan.lr.peak,
        args.against
    );
    let mut csv = String::from("device,precision,against,quantity,step,values,max_abs_diff,max_abs,relative\n");
    let run = [args.device.to_string(), args.precision.to_string(), args.against.to_string()];
    for r in &rows {
        // One row, two renderings: rounded in the table, full precision in the CSV.
        let names = [r.quantity.to_string(), r.step.to_string(), r.elements.to_string()];
        let numbers = [r.max_abs, r.scale, r.relative()];
        let rounded = names.iter().cloned().chain(numbers.iter().map(|v| format!("{v:.3e}")));
        table.push_str(&format!("| {} |\n", rounded.collect::<Vec<_>>().join(" | ")));
        let full = run.iter().cloned().chain(names).chain(numbers.iter().map(|v| format!("{v:e}")));
        csv.push_str(&format!("{}\n", full.collect::<Vec<_>>().join(",")));
    }
    println!("{table}");
    if let Some(path) = &args.csv {
        ladder_core::fsio::write_atomic(path, csv).with_context(|| format!("writing {}", path.display()))?;
    }
    let worst = rows.iter().map(|r| r.relative()).fold(0.0f64, |a, b| if b.is_nan() { f64::INFINITY } else { a.max(b) });
    anyhow::ensure!(
        worst <= args.tolerance,
        "{} differs from {} by up to {worst:.3e} (relative), above the tolerance {:.1e}",
        args.device,
        args.against,
        args.tolerance
    );
    println!("largest relative difference {worst:.3e} ≤ tolerance {:.1e}", args.tolerance);
    Ok(())
}
