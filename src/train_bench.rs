//! `ladder bench-train`: training throughput of ladder rungs (tokens/s, achieved FLOP/s).

use std::time::Instant;

use burn::prelude::*;
use ladder_model::{loss::Z_LOSS, ModelConfig};
use ladder_schedule::RunPlan;
use ladder_train::{optim, train_step};

/// Arguments of `ladder bench-train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rungs to time, comma-separated (their batch, L and vocabulary come from the ladder rules).
    #[arg(long, default_value = "u100k,u400k,u800k", value_delimiter = ',')]
    pub rungs: Vec<String>,
    /// Timed steps per rung (after the warm-up steps).
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Untimed warm-up steps per rung.
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
    /// Float precision of every tensor: f32, or bf16 where the device supports it.
    #[arg(long, default_value_t = crate::device::Precision::F32)]
    pub precision: crate::device::Precision,
    /// Changes to the rungs' ladder rules (another sequence length).
    #[command(flatten)]
    pub rules: crate::plan::RuleOverrides,
    /// Also write the table as CSV here, with each rung's shape (what
    /// `scripts/torch_reference.py` reads to time the same models in PyTorch).
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
}

/// CPU seconds (user + system) of this process so far, from /proc (Linux); NaN elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `ladder bench-train`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let device = args.device.with_precision(args.precision)?.autodiff();
    println!("device: {} · threads (rayon): {}", args.device, rayon::current_num_threads());
    println!("| rung | d/layers/heads | N | batch × L | s/step | CPU-s/step | tokens/s | GFLOP/s | GFLOP per CPU-s |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut csv = String::from(
        "implementation,device,precision,rung,d_model,n_layers,n_heads,mlp_inner,vocab,seq_len,batch,n,flops_per_token,seconds_per_step,tokens_per_second,gflops\n",
    );
    for name in &args.rungs {
        let plan = RunPlan::of_rung(name, 1.0, args.rules.changes(), 1, Some(1))?;
        let model_config = ModelConfig::from_shape(&plan.shape);
        let mut model = model_config.init(&device, 1);
        let mut optim = optim::optimizer(&model);
        let (b, l, v) = (plan.batch_seqs, plan.shape.seq_len, plan.shape.vocab as i64);
        let ids: Vec<i64> = (0..b * l).map(|i| (i as i64 * 7919 + 13) % v).collect();
        let batch = || Tensor::<2, Int>::from_data(TensorData::new(ids.clone(), [b, l]), &device);
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        for k in 0..args.warmup + args.steps.max(1) {
            let (t, c) = (Instant::now(), cpu_seconds());
            let (next, _) = train_step(model, &mut optim, batch(), Z_LOSS, plan.lr.peak);
            model = next;
            device.sync()?;
            if k >= args.warmup {
                times.push(t.elapsed().as_secs_f64());
                cpu.push(cpu_seconds() - c);
            }
        }
        times.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let (step, cpu_step) = (times[times.len() / 2], cpu[cpu.len() / 2]);
        let tokens = (b * l) as f64;
        let gflop = plan.flops_per_token as f64 * tokens / 1e9;
        println!(
            "| {} | {}/{}/{} | {} | {b} × {l} | {step:.3} | {cpu_step:.2} | {:.0} | {:.1} | {:.1} |",
            plan.rung,
            plan.shape.d_model,
            plan.shape.n_layers,
            plan.shape.n_heads,
            plan.n,
            tokens / step,
            gflop / step,
            gflop / cpu_step
        );
        let shape = &plan.shape;
        csv.push_str(&format!(
            "ladder,{},{},{},{},{},{},{},{},{},{b},{},{},{step:e},{:e},{:e}\n",
            args.device,
            args.precision,
            plan.rung,
            shape.d_model,
            shape.n_layers,
            shape.n_heads,
            shape.mlp_inner,
            shape.vocab,
            l,
            plan.n,
            plan.flops_per_token,
            tokens / step,
            gflop / step
        ));
    }
    if let Some(path) = &args.csv {
        ladder_core::fsio::write_atomic(path, &csv).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    }
    println!(
        "(median of {} steps after {} warm-up; FLOPs per token as OLMo counts them: 6N + 4·N_emb + 12·layers·d·L)",
        args.steps.max(1),
        args.warmup
    );
    Ok(())
}
