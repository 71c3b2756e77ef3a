//! `ladder eval`: the paper's ranked-classification metrics of one checkpoint, as a table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use ladder_eval::{columns, CacheLevel, ScorerConfig, TaskResult, TaskSuite};
use ladder_model::ModelConfig;
use ladder_train::{checkpoint, TrainConfig, Trainer};

/// Arguments of `ladder eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run folder of `ladder train` (its latest checkpoint is evaluated) or one of its
    /// checkpoints (`RUN/checkpoints/step-00000120`).
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// Tasks: v2_main (the paper's 8, 11 request dumps), v2_main_variance, all (the ladder's 20
    /// evaluators), registry keys (piqa_val_5shot,...) or OLMo labels (arc_easy_test_rc_5shot,...).
    #[arg(long, default_value = "v2_main")]
    pub tasks: String,
    /// At most this many questions per task, the same fixed subset for every model (seed 1234).
    #[arg(long)]
    pub limit: Option<usize>,
    /// The `ladder data prepare` cache that holds the tasks. Default: $LADDER_DATA_CACHE, else
    /// ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
    /// Context window in tokens (left truncation). Default: the model's training length.
    #[arg(long)]
    pub max_len: Option<usize>,
    /// Which shared prefixes run once: none (every request from position 0), task (the shared
    /// 5-shot prefix), question (also each question's context once for all of its choices).
    #[arg(long, value_enum, default_value_t = CacheLevel::Question)]
    pub cache_level: CacheLevel,
    /// Score everything twice, with the chosen cache and without any, and fail if any metric
    /// differs by more than 1e-5.
    #[arg(long)]
    pub verify_cache: bool,
    /// Also the held-out LM loss of each source of the run's data (packs the run's data).
    #[arg(long)]
    pub heldout: bool,
    /// Write the values as CSV (column,value with OLMo-ladder column names) to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The run folder and checkpoint folder a path names.
fn resolve(path: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    if path.join("config.json").is_file() {
        let (step, dir) = checkpoint::latest(path).with_context(|| format!("{} holds no checkpoint yet", path.display()))?;
        eprintln!("{}: latest checkpoint, step {step}", path.display());
        return Ok((path.to_path_buf(), dir));
    }
    let run = path.parent().and_then(Path::parent).filter(|run| run.join("config.json").is_file() && path.join("model.bpk").is_file());
    let run = run.with_context(|| {
        format!(
            "{} is neither a run folder (config.json, checkpoints/) nor a checkpoint of one (RUN/checkpoints/step-N/model.bpk)",
            path.display()
        )
    })?;
    Ok((run.to_path_buf(), path.to_path_buf()))
}

/// A run's saved config.
pub fn run_config(run: &Path) -> anyhow::Result<TrainConfig> {
    let path = run.join("config.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a run config of `ladder train`", path.display()))
}

/// A progress bar over requests.
pub fn request_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} requests · {per_sec} · ETA {eta}").expect("static template"));
    bar
}

/// The tasks of the data cache.
pub fn load_suite(cache: Option<PathBuf>, tasks: &str, limit: Option<usize>) -> anyhow::Result<TaskSuite> {
    Ok(TaskSuite::from_cache(&crate::data::cache_dir(cache), tasks, limit)?)
}

/// Runs `ladder eval`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (run_dir, checkpoint_dir) = resolve(&args.checkpoint)?;
    let config = run_config(&run_dir)?;
    let device = args.device.device()?;
    let shape = config.plan.shape.clone();
    let model = checkpoint::load_model(&checkpoint_dir, &ModelConfig::from_shape(&shape), &device)?;
    let tokenizer = config.load_tokenizer()?;
    let suite = load_suite(args.cache.clone(), &args.tasks, args.limit)?;
    let max_len = args.max_len.unwrap_or(shape.seq_len);
    let score = |cache: CacheLevel| {
        let bar = request_bar(suite.requests());
        let started = Instant::now();
        let results =
            suite.evaluate(&model, tokenizer.as_ref(), &device, max_len, ScorerConfig { cache, ..ScorerConfig::default() }, &mut |n| {
                bar.inc(n as u64)
            });
        bar.finish_and_clear();
        (results, started.elapsed().as_secs_f64())
    };
    let (results, seconds) = score(args.cache_level);
    eprintln!(
        "{} requests of {} tasks in {seconds:.1} s ({:.0}/s)",
        suite.requests(),
        suite.tasks.len(),
        suite.requests() as f64 / seconds
    );
    if args.verify_cache {
        let (other, other_seconds) = score(CacheLevel::None);
        let worst = largest_difference(&results, &other);
        println!("prefix cache check: largest metric difference {worst:.2e} ({:?} cache vs full forward; {seconds:.1} s vs {other_seconds:.1} s)", args.cache_level);
        anyhow::ensure!(worst <= 1e-5, "cached and uncached scoring differ by {worst:.2e} (> 1e-5)");
    }
    let mut values: Vec<(String, f64)> = results.iter().flat_map(columns::task_columns).collect();
    if args.heldout {
        let data = Trainer::new(config.clone(), &run_dir, device.clone())?.data()?;
        let by_source = ladder_eval::heldout::validation_loss_by_source(&model, &data, config.plan.batch_seqs, &device);
        for l in &by_source {
            println!("held-out loss {}: {:.4} nats/token ({} windows)", l.source, l.loss, l.windows);
            values.push((columns::heldout_column(&l.source), l.loss));
        }
        let all = ladder_eval::heldout::overall(&by_source);
        println!("held-out loss, all sources: {all:.4} nats/token");
        values.push((columns::HELDOUT_ALL.to_string(), all));
    }
    print!("{}", table(&results));
    if let Some(out) = &args.out {
        let text: String = std::iter::once("column,value\n".to_string()).chain(values.iter().map(|(c, v)| format!("{c},{v}\n"))).collect();
        ladder_core::fsio::write_atomic(out, text).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("values → {}", out.display());
    }
    Ok(())
}

/// The largest difference of any per-question value between two evaluations of the same tasks.
pub fn largest_difference(a: &[TaskResult], b: &[TaskResult]) -> f64 {
    let mut worst = 0.0f64;
    for (x, y) in a.iter().zip(b) {
        for (p, q) in x.questions.iter().zip(&y.questions) {
            for (u, v) in [
                (p.bpb, q.bpb),
                (p.ce_loss, q.ce_loss),
                (p.soft, q.soft),
                (p.soft_log, q.soft_log),
                (p.acc, q.acc),
                (p.len_norm, q.len_norm),
            ] {
                worst = worst.max((u - v).abs());
            }
        }
    }
    worst
}

/// A markdown table: one row per request dump, then the registry tasks that are complete
/// (the MMLU average weights its categories).
pub fn table(results: &[TaskResult]) -> String {
    let mut out = String::from(
        "| task | questions | metric | accuracy | bpb | soft_log | ce/char | cached | truncated |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let m = &r.metrics;
        out.push_str(&format!(
            "| {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {}/{} | {} |\n",
            r.task,
            m.questions,
            m.primary.name(),
            m.accuracy(),
            m.mean.bpb,
            m.mean.soft_log,
            m.mean.ce_loss,
            r.cached,
            r.requests,
            r.truncated
        ));
    }
    let mut keys = ladder_core::task::Task::known_keys();
    keys.retain(|k| k.starts_with("mmlu_avg"));
    for key in keys {
        let task = ladder_core::task::Task::get(&key).expect("registry key");
        if let (Some(acc), Some(bpb), Some(soft_log)) = (
            columns::task_value(&task, results, columns::accuracy),
            columns::task_value(&task, results, columns::mean(|q| q.bpb)),
            columns::task_value(&task, results, columns::mean(|q| q.soft_log)),
        ) {
            out.push_str(&format!("| **{key}** (weighted) | | len_norm | {acc:.4} | {bpb:.4} | {soft_log:.4} | | | |\n"));
        }
    }
    out
}
