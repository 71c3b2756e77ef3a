//! `ladder bench-eval`: evaluation throughput, (question, choice) pairs per second, without a
//! cache, with the task's shared-prefix cache and with the per-question cache on top, on freshly
//! initialised rungs (speed does not depend on the weights), and the largest disagreement with
//! the full forward pass.

use std::time::Instant;

use ladder_eval::{CacheLevel, ScorerConfig};
use ladder_model::ModelConfig;
use ladder_schedule::{size, EvalCadence, LadderKind, RunPlan};

/// Arguments of `ladder bench-eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rungs to time, comma-separated (vocabulary and context length from their ladder rules).
    #[arg(long, default_value = "u100k,u400k", value_delimiter = ',')]
    pub rungs: Vec<String>,
    /// Tasks (as for `ladder eval`).
    #[arg(long, default_value = "v2_main")]
    pub tasks: String,
    /// Questions per task (fixed subset).
    #[arg(long, default_value_t = 40)]
    pub limit: usize,
    /// Tokenizer: bytes, or a tokenizer.json with at most the rung's vocabulary.
    #[arg(long, default_value = "bytes")]
    pub tokenizer: ladder_data::TokenizerSpec,
    /// The `ladder data prepare` cache that holds the tasks.
    #[arg(long)]
    pub cache: Option<std::path::PathBuf>,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
}

/// Runs `ladder bench-eval`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let device = args.device.device()?;
    let tokenizer = args.tokenizer.load()?;
    let suite = crate::eval::load_suite(args.cache.clone(), &args.tasks, Some(args.limit))?;
    println!(
        "device: {} · tasks: {} ({} tasks, ≤{} questions each, {} pairs) · tokenizer {}",
        args.device,
        args.tasks,
        suite.tasks.len(),
        args.limit,
        suite.requests(),
        args.tokenizer
    );
    println!("| rung | N | context | full forward pairs/s | task cache pairs/s | + question cache pairs/s | speed-up (task, question) | tokens run (full → task → question) | largest difference |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in &args.rungs {
        let size = size(name)?;
        let plan = RunPlan::new(&size, 1.0, &LadderKind::of(&size).rules(), 1, EvalCadence::Count(1))?;
        let shape = plan.shape;
        anyhow::ensure!(
            tokenizer.vocab_size() <= shape.vocab,
            "{} has {} ids but {name} only {}",
            args.tokenizer,
            tokenizer.vocab_size(),
            shape.vocab
        );
        let model = ModelConfig::from_shape(&shape).init(&device, 1);
        let mut timed = Vec::new();
        for cache in [CacheLevel::None, CacheLevel::Task, CacheLevel::Question] {
            let bar = crate::eval::request_bar(suite.requests());
            let started = Instant::now();
            let results = suite.evaluate(
                &model,
                tokenizer.as_ref(),
                &device,
                shape.seq_len,
                ScorerConfig { cache, ..ScorerConfig::default() },
                &mut |n| bar.inc(n as u64),
            );
            bar.finish_and_clear();
            timed.push((results, started.elapsed().as_secs_f64()));
        }
        let pairs = suite.requests() as f64;
        let tokens = |i: usize| timed[i].0.iter().map(|r| r.tokens_run).sum::<usize>();
        println!(
            "| {name} | {} | {} | {:.1} | {:.1} | {:.1} | {:.2}×, {:.2}× | {} → {} → {} | {:.1e} |",
            shape.non_embedding_params(),
            shape.seq_len,
            pairs / timed[0].1,
            pairs / timed[1].1,
            pairs / timed[2].1,
            timed[0].1 / timed[1].1,
            timed[0].1 / timed[2].1,
            tokens(0),
            tokens(1),
            tokens(2),
            crate::eval::largest_difference(&timed[0].0, &timed[1].0).max(crate::eval::largest_difference(&timed[0].0, &timed[2].0))
        );
    }
    Ok(())
}
