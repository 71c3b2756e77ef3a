//! `ladder bench`: wall-clock figures of the reproduction.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use ladder_fit::paper::{reproduce, PaperData};

/// Arguments of `ladder bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// OLMo-ladder data folder. Defaults to $OLMO_LADDER_DATA, else ../shared/olmo-ladder.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Number of timed repetitions (after one warm-up).
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Also time a bootstrap of the paper's design with this many draws (8 tasks × 2 targets).
    #[arg(long, default_value_t = 0)]
    pub bootstrap_draws: usize,
}

/// Runs `ladder bench`: loading the data, and fitting all ten tables for 13B-5T.
pub fn run(args: Args) -> anyhow::Result<()> {
    let data_dir = args.data.clone().unwrap_or_else(|| ladder_io::olmo::default_data_dir(&std::env::current_dir().unwrap_or_default()));
    let threads = rayon::current_num_threads();
    let t0 = Instant::now();
    let data = PaperData::load(&data_dir).with_context(|| format!("loading {}", data_dir.display()))?;
    let load = t0.elapsed().as_secs_f64();
    let tasks = ladder_core::TaskSet::get("v2_main")?;
    reproduce(&data, ladder_fit::paper::PUBLISHED_TARGET, &tasks)?;
    let mut times = Vec::new();
    for _ in 0..args.repeats.max(1) {
        let t = Instant::now();
        reproduce(&data, ladder_fit::paper::PUBLISHED_TARGET, &tasks)?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("threads (rayon): {threads}");
    let runs: usize = [&data.ladder, &data.variance].iter().flat_map(|l| &l.entries).map(|e| e.runs.len()).sum();
    println!("load OLMo-ladder data (2 configs, {runs} run CSVs): {load:.3} s");
    println!(
        "reproduce all ten tables (median of {}): {median:.3} s (min {:.3}, max {:.3})",
        times.len(),
        times[0],
        times[times.len() - 1]
    );
    println!("load + reproduce: {:.3} s (goal < 2 s on 2 cores: {:.1}x under)", load + median, 2.0 / (load + median));
    if args.bootstrap_draws > 0 {
        use ladder_fit::design::Design;
        use ladder_fit::uncertainty::{bootstrap, BootstrapSettings};
        let design = ladder_fit::design::TwoStep {
            name: "two_step_bpb".into(),
            step1: ladder_fit::predict::Step1::new(ladder_core::Feature::RcBpb, ladder_fit::PAPER_WINDOW),
            step2: ladder_fit::predict::Step2::paper(ladder_core::Feature::RcBpb),
        };
        let targets: Vec<_> =
            ["13B-5T", "7B-4T"].iter().map(|t| data.ladder.entry(t).map(ladder_fit::predict::Target::of)).collect::<Result<_, _>>()?;
        let settings = BootstrapSettings { draws: args.bootstrap_draws, ..BootstrapSettings::default() };
        let t = Instant::now();
        let mut failed = 0;
        for task in &tasks.tasks {
            failed += bootstrap(&data.ladder, &design as &dyn Design, task, &targets, &settings, &|| {})[0].failed;
        }
        let secs = t.elapsed().as_secs_f64();
        let fits = args.bootstrap_draws * tasks.tasks.len();
        println!(
            "bootstrap of the paper's design: {} draws x {} tasks x {} targets: {secs:.1} s ({:.2} ms per draw of both steps; {failed} failed draws; goal < 60 s: {:.1}x under)",
            args.bootstrap_draws,
            tasks.tasks.len(),
            targets.len(),
            1000.0 * secs / fits as f64,
            60.0 / secs
        );
    }
    Ok(())
}
