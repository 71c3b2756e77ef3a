//! Training on real text: the loss falls, and a run stopped after a checkpoint and resumed
//! reproduces the uninterrupted run's losses.

use std::path::PathBuf;

use burn::prelude::*;
use ladder_data::TokenizerSpec;
use ladder_schedule::{EvalCadence, LadderRules, ModelShape, RunPlan, Size};
use ladder_train::run_table;
use ladder_train::{TrainConfig, TrainError, Trainer};

/// Real English text: the specs in `../shared/docs` (beside the OLMo-ladder data) and this
/// repository's README.
fn real_text() -> Vec<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::var_os("OLMO_LADDER_DATA").map(PathBuf::from).unwrap_or_else(|| manifest.join("../../../shared/olmo-ladder"));
    let docs = data.join("../docs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("{}: {e} (set OLMO_LADDER_DATA)", docs.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.push(manifest.join("../../README.md"));
    files
}

/// A tiny rung under the micro rules in form (L = 64, 0.1xC): N = 41,312, batch 27, 48 steps.
fn tiny_plan() -> RunPlan {
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 128, vocab: 258, seq_len: 64 };
    let size = Size { name: "tiny", aliases: &[], shape, ladder_rung: true };
    RunPlan::new(&size, 0.1, &LadderRules::micro().with_seq_len(64), 11, EvalCadence::Count(4)).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ladder-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn loss_falls_on_real_text_and_resume_continues_the_same_curve() {
    let plan = tiny_plan();
    assert_eq!((plan.batch_seqs, plan.total_steps, plan.lr.warmup), (27, 48, 24), "{plan:?}");
    let config = TrainConfig::builder(plan, real_text()).checkpoint_every(10).build().unwrap();

    // Uninterrupted.
    let full = temp_dir("full");
    let summary = Trainer::new(config.clone(), &full, Device::flex()).unwrap().run(false, None, &mut ()).unwrap();
    assert_eq!(summary.last_step, 48);
    let rows = run_table::read(&full.join("run.csv")).unwrap();
    assert_eq!(rows.len(), 48);
    let first = rows[0].train_ce;
    let last = rows.iter().rev().take(5).map(|r| r.train_ce).sum::<f64>() / 5.0;
    assert!((first - (258f64).ln()).abs() < 0.1, "initial CE {first}");
    assert!(last < first - 1.5, "CE fell only from {first:.3} to {last:.3}");
    let evals: Vec<f64> = rows.iter().map(|r| r.val_ce).filter(|v| v.is_finite()).collect();
    assert_eq!(evals.len(), 4);
    assert!(evals[3] < evals[0], "validation loss did not fall: {evals:?}");

    // Stopped at step 27 (rows 25–27 written after the checkpoint at 24, an eval step, as by a
    // kill), then resumed.
    let split = temp_dir("split");
    let trainer = Trainer::new(config.clone(), &split, Device::flex()).unwrap();
    trainer.run(false, Some(27), &mut ()).unwrap();
    assert_eq!(run_table::read(&split.join("run.csv")).unwrap().len(), 27);
    let err = trainer.run(false, None, &mut ()).unwrap_err();
    assert!(matches!(err, TrainError::Config(_)), "{err}");
    let resumed = trainer.run(true, None, &mut ()).unwrap();
    assert_eq!((resumed.resumed_from, resumed.last_step), (24, 48));
    let again = run_table::read(&split.join("run.csv")).unwrap();
    assert_eq!(again.len(), 48);
    for (a, b) in rows.iter().zip(&again) {
        assert_eq!(a.step, b.step);
        assert!((a.train_loss - b.train_loss).abs() <= 1e-5 * a.train_loss, "step {}: {} vs {}", a.step, a.train_loss, b.train_loss);
        assert_eq!(a.lr, b.lr);
    }

    // The newest checkpoint corrupt (a kill while the disk filled, say): the resume falls back
    // to the one before it and still ends on the uninterrupted curve.
    let corrupt = temp_dir("corrupt");
    let trainer = Trainer::new(config.clone(), &corrupt, Device::flex()).unwrap();
    trainer.run(false, Some(27), &mut ()).unwrap();
    let newest = corrupt.join("checkpoints/step-00000024/model.bpk");
    let bytes = std::fs::read(&newest).unwrap();
    std::fs::write(&newest, &bytes[..bytes.len() / 2]).unwrap();
    let resumed = trainer.run(true, None, &mut ()).unwrap();
    assert_eq!((resumed.resumed_from, resumed.last_step), (20, 48));
    let again = run_table::read(&corrupt.join("run.csv")).unwrap();
    assert_eq!(again.len(), 48);
    for (a, b) in rows.iter().zip(&again) {
        assert!((a.train_loss - b.train_loss).abs() <= 1e-5 * a.train_loss, "step {}: {} vs {}", a.step, a.train_loss, b.train_loss);
    }
    let _ = std::fs::remove_dir_all(&full);
    let _ = std::fs::remove_dir_all(&split);
    let _ = std::fs::remove_dir_all(&corrupt);
}

#[test]
fn too_little_data_and_bad_configs_are_refused_before_training() {
    let mut plan = tiny_plan();
    plan.total_steps = 100_000;
    let dir = temp_dir("small");
    let config = TrainConfig::builder(plan, real_text()).build().unwrap();
    let err = Trainer::new(config, &dir, Device::flex()).unwrap().run(false, None, &mut ()).unwrap_err();
    assert!(err.to_string().contains("never repeats data"), "{err}");
    // Settings that cannot run are refused when they are built.
    let mut plan = tiny_plan();
    plan.batch_seqs = 0;
    let err = TrainConfig::builder(plan, real_text()).build().unwrap_err().to_string();
    assert!(err.contains("batch of 0"), "{err}");
    let builder = TrainConfig::builder(tiny_plan(), real_text());
    let refused = |b: ladder_train::TrainConfigBuilder, why: &str| {
        let err = b.build().unwrap_err().to_string();
        assert!(err.contains(why), "{why}: {err}");
    };
    refused(builder.clone().checkpoint_every(0), "checkpoint_every");
    refused(builder.clone().z_loss(f64::NAN), "z_loss");
    refused(builder.clone().data(Vec::<PathBuf>::new()), "no data");
    refused(builder.clone().tokenizer("bpe:512".parse().unwrap()), "tokenizer.json");
    // What needs the tokenizer's file is refused by the trainer: a file that is not there, and
    // a tokenizer with more ids than the model's 258 embedding rows.
    let missing = builder.clone().tokenizer(TokenizerSpec::File(dir.join("no-such-tokenizer.json"))).build().unwrap();
    let err = Trainer::new(missing, &dir, Device::flex()).unwrap_err().to_string();
    assert!(err.contains("no-such-tokenizer.json"), "{err}");
    let wide = builder.tokenizer(TokenizerSpec::Gpt2).build().unwrap();
    let err = Trainer::new(wide, &dir, Device::flex()).unwrap_err().to_string();
    assert!(err.contains("50304 ids but the model only 258 rows"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_diverging_run_stops_at_the_first_nan_with_its_last_checkpoint_intact() {
    let mut plan = tiny_plan();
    plan.lr.peak = 1e4;
    plan.lr.warmup = 0;
    let config = TrainConfig::builder(plan, real_text()).checkpoint_every(1).build().unwrap();
    let dir = temp_dir("nan");
    let err = Trainer::new(config, &dir, Device::flex()).unwrap().run(false, None, &mut ()).unwrap_err();
    let TrainError::NonFiniteLoss { step, last_checkpoint, .. } = err else { panic!("expected a non-finite loss, got {err}") };
    assert_eq!(last_checkpoint, step - 1);
    if last_checkpoint > 0 {
        let (latest, path) = ladder_train::checkpoint::latest(&dir).unwrap();
        assert_eq!(latest, last_checkpoint);
        assert!(path.join("model.bpk").exists() && path.join("optimizer.bpk").exists());
    }
    // The run table holds exactly the finite steps.
    let rows = run_table::read(&dir.join("run.csv")).unwrap();
    assert_eq!(rows.len() as u64, step - 1);
    assert!(rows.iter().all(|r| r.train_loss.is_finite()));
    let _ = std::fs::remove_dir_all(&dir);
}
