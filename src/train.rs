//! `ladder train`: one ladder run (a rung at a multiplier) on real text, resumable.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use ladder_schedule::RunPlan;
use ladder_train::{Progress, TrainConfig, TrainData, Trainer};

/// Arguments of `ladder train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rung: a micro size (u100k, u200k, u400k, u800k, u1.7M, u3.4M, u10M; micro rules, L = 512)
    /// or a paper size (190M … 13B; paper rules, L = 4096). `ladder plan` lists what they mean.
    #[arg(long)]
    pub rung: String,
    /// Token budget in multiples of 20 tokens per parameter (xC).
    #[arg(long, default_value_t = 1.0)]
    pub multiplier: f64,
    /// Training text: `.jsonl` files (`{"text": ...}` per line) or plain-text files. A ladder never
    /// repeats data: the files must hold the run's tokens plus the held-out windows.
    #[arg(long, num_args = 1.., required_unless_present = "mix", conflicts_with = "mix")]
    pub data: Vec<PathBuf>,
    /// A mix file (TOML: `[[source]] name = "wiki_vital" weight = 2`) of sources prepared by
    /// `ladder data prepare`; the realised mix of the run is written to OUT/mix.json.
    #[arg(long)]
    pub mix: Option<PathBuf>,
    /// The `ladder data prepare` cache. Default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Run folder (config.json, run.csv, checkpoints/). Default: `runs/<run id>`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
    /// Float precision of every tensor: f32, or bf16 where the device supports it.
    #[arg(long, default_value_t = crate::device::Precision::F32)]
    pub precision: crate::device::Precision,
    /// Continue the run in --out from its latest checkpoint (same config required).
    #[arg(long)]
    pub resume: bool,
    /// With --resume: continue a run whose recorded fingerprint (plan, tokenizer, data, mix,
    /// tasks, device, code) differs from this configuration's, with a warning.
    #[arg(long, requires = "resume")]
    pub accept_changed: bool,
    /// Stop after this step (the run can be resumed later).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Seed of the weights.
    #[arg(long, default_value_t = ladder_schedule::plan::PAPER_SEED)]
    pub seed: u64,
    /// Seed of the window order (keep it the same for every run of a ladder).
    #[arg(long, default_value_t = ladder_schedule::plan::PAPER_SEED)]
    pub data_seed: u64,
    /// Changes to the rung's ladder rules.
    #[command(flatten)]
    pub rules: crate::plan::RuleOverrides,
    /// Evaluations (held-out loss + checkpoint) per run; default: the paper's cadence for paper
    /// rungs, 30 for micro rungs.
    #[arg(long)]
    pub evals: Option<u64>,
    /// Checkpoint at least every this many steps (default: every evaluation).
    #[arg(long)]
    pub checkpoint_every: Option<u64>,
    /// Tokenizer: bytes (fits the micro vocabulary of 1024), cl100k (the paper's ids; needs a
    /// paper-size vocabulary), gpt2, or a tokenizer.json from `ladder data tokenizer`.
    #[arg(long, default_value = "bytes")]
    pub tokenizer: ladder_data::TokenizerSpec,
    /// Tasks scored at every evaluation beside the held-out loss (v2_main, all, OLMo labels; as
    /// `ladder eval --tasks`), written to OUT/evals.csv.
    #[arg(long)]
    pub tasks: Option<String>,
    /// Questions per task for --tasks (the same fixed subset for every run).
    #[arg(long)]
    pub task_limit: Option<usize>,
    /// Windows of the --data files held out for the validation loss (a --mix holds out its own
    /// `validation_windows` per source).
    #[arg(long, default_value_t = ladder_data::windows::VALIDATION_WINDOWS)]
    pub validation_windows: usize,
}

struct Bar(ProgressBar, u64);

impl Progress for Bar {
    fn step(&mut self, step: u64, total: u64, loss: f64) {
        self.0.set_length(total);
        self.0.set_position(step);
        self.0.set_message(format!("loss {loss:.3} · {:.0} tokens/s", self.0.per_sec() * self.1 as f64));
    }
}

/// Runs `ladder train`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let plan = RunPlan::of_rung(&args.rung, args.multiplier, args.rules.changes(), args.seed, args.evals)?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("runs").join(&plan.id));
    let data = match &args.mix {
        Some(path) => TrainData::Mix { mix: ladder_data::Mix::load(path)?, cache: crate::data::cache_dir(args.cache.clone()) },
        None => TrainData::Files(args.data.clone()),
    };
    let mut config = TrainConfig::builder(plan.clone(), data)
        .data_seed(args.data_seed)
        .tokenizer(args.tokenizer.clone())
        .validation_windows(args.validation_windows)
        .tasks(args.tasks.as_ref().map(|tasks| ladder_train::TaskEvalConfig {
            tasks: tasks.clone(),
            limit: args.task_limit,
            cache: crate::data::cache_dir(args.cache.clone()),
        }));
    if let Some(k) = args.checkpoint_every {
        config = config.checkpoint_every(k);
    }
    let config = config.build()?;
    let device = args.device.with_precision(args.precision)?;
    eprintln!(
        "{}: N = {}, batch {} × {} tokens, {} steps ({} tokens), peak LR {:.3e}, warmup {}, {:.3e} FLOPs → {}",
        plan.id,
        plan.n,
        plan.batch_seqs,
        plan.shape.seq_len,
        plan.total_steps,
        plan.tokens,
        plan.lr.peak,
        plan.lr.warmup,
        plan.flops,
        out.display()
    );
    let bar = ProgressBar::new(plan.total_steps);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {msg} · ETA {eta}").expect("static template"));
    let mut progress = Bar(bar, plan.tokens_per_step);
    let summary = Trainer::new(config, &out, device)?
        .accept_changed(args.accept_changed)
        .run(args.resume, args.steps, &mut progress)
        .with_context(|| format!("training {}", plan.id))?;
    progress.0.finish_and_clear();
    println!(
        "{}: steps {}–{} in {:.1} s ({:.0} tokens/s), last held-out loss {}; run table {}",
        plan.id,
        summary.resumed_from + 1,
        summary.last_step,
        summary.seconds,
        summary.tokens as f64 / summary.seconds.max(1e-9),
        if summary.val_ce.is_finite() {
            format!("{:.4} nats/token", summary.val_ce)
        } else {
            "— (no eval step in this call)".to_string()
        },
        out.join("run.csv").display()
    );
    Ok(())
}
