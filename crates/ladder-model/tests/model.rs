//! The burn model against the architecture's closed forms, and its causality.

use burn::prelude::*;
use ladder_model::ModelConfig;
use ladder_schedule::{micro_sizes, ModelShape};

fn tokens(ids: Vec<i64>, device: &Device) -> Tensor<2, Int> {
    let n = ids.len();
    Tensor::from_data(TensorData::new(ids, [1, n]), device)
}

/// Parameters of the built model equal the schedule's closed form (which equals the paper's
/// table, `ladder-schedule` tests) for every micro rung and for odd shapes.
#[test]
fn parameter_counts_equal_the_closed_form() {
    let device = Device::flex();
    let mut shapes: Vec<ModelShape> = micro_sizes().into_iter().take(7).map(|s| s.shape).collect();
    shapes.push(ModelShape { d_model: 24, n_layers: 3, n_heads: 2, mlp_inner: 40, vocab: 300, seq_len: 16 });
    for shape in shapes {
        let model = ModelConfig::from_shape(&shape).init(&device, 1);
        assert_eq!(model.num_params() as u64, shape.total_params(), "{shape:?}");
        assert_eq!(model.non_embedding_params() as u64, shape.non_embedding_params(), "{shape:?}");
    }
}

/// Changing a later token never changes the logits of earlier positions.
#[test]
fn forward_pass_is_causal() {
    let device = Device::flex();
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 128, vocab: 64, seq_len: 32 };
    let model = ModelConfig::from_shape(&shape).init(&device, 7);
    let a: Vec<i64> = (0..20).map(|i| (i * 7 % 64) as i64).collect();
    let mut b = a.clone();
    b[12] = (b[12] + 5) % 64;
    let la = model.forward(tokens(a, &device)).into_data().try_to_vec::<f32>().unwrap();
    let lb = model.forward(tokens(b, &device)).into_data().try_to_vec::<f32>().unwrap();
    let v = 64;
    let before = 12 * v;
    assert_eq!(&la[..before], &lb[..before], "positions before the change moved");
    assert!(la[before..].iter().zip(&lb[before..]).any(|(x, y)| (x - y).abs() > 1e-6), "the changed position had no effect");
}

/// The same seed gives the same weights; another seed other weights. Init is truncated at ±3σ.
#[test]
fn init_is_seeded_and_truncated() {
    let device = Device::flex();
    let shape = ModelShape { d_model: 32, n_layers: 1, n_heads: 2, mlp_inner: 128, vocab: 64, seq_len: 8 };
    let config = ModelConfig::from_shape(&shape);
    let w = |seed| config.init(&device, seed).lm_head.weight.val().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(w(3), w(3));
    assert_ne!(w(3), w(4));
    let values = w(3);
    assert!(values.iter().all(|x| x.abs() <= 0.06 + 1e-7));
    let sd = (values.iter().map(|x| (x * x) as f64).sum::<f64>() / values.len() as f64).sqrt();
    assert!((sd - 0.0197).abs() < 0.002, "{sd}");
}

/// At init the loss is close to ln(vocab) (σ = 0.02 gives near-uniform logits).
#[test]
fn initial_loss_is_near_uniform() {
    let device = Device::flex();
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 128, vocab: 258, seq_len: 16 };
    let model = ModelConfig::from_shape(&shape).init(&device, 1);
    let ids: Vec<i64> = (0..2 * 17).map(|i| (i * 31 % 258) as i64).collect();
    let windows = Tensor::<2, Int>::from_data(TensorData::new(ids, [2, 17]), &device);
    let loss = model.lm_loss(windows);
    let ce = loss.ce.into_scalar::<f32>() as f64;
    assert!((ce - (258f64).ln()).abs() < 0.05, "{ce}");
    let z = loss.z.into_scalar::<f32>() as f64;
    assert!((z - (258f64).ln().powi(2)).abs() < 0.5, "{z}");
}

/// A prefix run once through `prefill` and continued with `forward_cached` for a batch of
/// different continuations gives the logits of the full forward pass of each prefix + continuation.
#[test]
fn cached_prefix_equals_the_full_forward_pass() {
    let device = Device::flex();
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 128, vocab: 64, seq_len: 64 };
    let model = ModelConfig::from_shape(&shape).init(&device, 11);
    let prefix: Vec<i64> = (0..23).map(|i| (i * 5 % 64) as i64).collect();
    let rows: Vec<Vec<i64>> = vec![(0..9).map(|i| (i * 3 + 1) % 64).collect(), (0..9).map(|i| (i * 11 + 2) % 64).collect()];
    let cache = model.prefill(tokens(prefix.clone(), &device));
    assert_eq!(cache.len, 23);
    let batch = Tensor::<2, Int>::from_data(TensorData::new(rows.concat(), [2, 9]), &device);
    let cached = model.forward_cached(&cache, batch).into_data().try_to_vec::<f32>().unwrap();
    for (r, row) in rows.iter().enumerate() {
        let full = model.forward(tokens([prefix.clone(), row.clone()].concat(), &device)).into_data().try_to_vec::<f32>().unwrap();
        let tail = &full[23 * 64..];
        let mine = &cached[r * 9 * 64..(r + 1) * 9 * 64];
        let worst = tail.iter().zip(mine).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "row {r}: max |Δlogit| {worst}");
    }
}
