//! The same tiny training on two devices, compared element by element: the logits and loss of
//! the first batch, every parameter's gradient at each step, and the weights after the last
//! optimizer step. Both start from the same seeded weights (initialised on the host) and see the
//! same batches. This is what tells whether a GPU (or software-driver) code path computes what
//! the CPU's does.

use burn::module::{ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use ladder_model::loss::Z_LOSS;
use ladder_model::{Model, ModelConfig};
use ladder_schedule::ModelShape;

use crate::optim;

/// What is trained on each device.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    /// The model.
    pub shape: ModelShape,
    /// Windows per batch.
    pub batch: usize,
    /// Optimizer steps (each on its own batch).
    pub steps: usize,
    /// Seed of the weights.
    pub seed: u64,
    /// Learning rate of every step.
    pub lr: f64,
}

/// Everything one device computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Logits of the first batch, before any step.
    pub logits: Vec<f32>,
    /// The objective (CE + z-loss) of each step's batch.
    pub losses: Vec<f64>,
    /// Per step, every parameter's gradient (before clipping), in the model's visiting order.
    pub grads: Vec<Vec<Vec<f32>>>,
    /// Every parameter after the last step.
    pub weights: Vec<Vec<f32>>,
}

/// How far one quantity of device B lies from device A's.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// `logits`, `loss`, `grads`, `weights`.
    pub quantity: &'static str,
    /// Step (0 for the logits; the last step for the weights).
    pub step: usize,
    /// Values compared.
    pub elements: usize,
    /// Largest |a − b|.
    pub max_abs: f64,
    /// Largest |a| (the scale the differences are read against).
    pub scale: f64,
}

impl Difference {
    /// max |a − b| / max |a|.
    pub fn relative(&self) -> f64 {
        self.max_abs / self.scale.max(f64::MIN_POSITIVE)
    }
}

/// Deterministic token windows `[batch, seq_len + 1]` of step `step`.
fn windows(settings: &CheckSettings, step: usize, device: &Device) -> Tensor<2, Int> {
    let (b, w, v) = (settings.batch, settings.shape.seq_len + 1, settings.shape.vocab as i64);
    let ids: Vec<i64> = (0..b * w).map(|i| ((i + 7 * step) as i64 * 7919 + 13 * step as i64 + 5) % v).collect();
    Tensor::from_data(TensorData::new(ids, [b, w]), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.cast(burn::tensor::DType::F32).into_data().try_to_vec::<f32>().expect("f32 after the cast")
}

struct Collect<'a> {
    grads: Option<&'a GradientsParams>,
    out: Vec<Vec<f32>>,
}

impl ModuleVisitor for Collect<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let v = match self.grads {
            Some(g) => g.get::<D>(param.id).map(values).unwrap_or_default(),
            None => values(param.val()),
        };
        self.out.push(v);
    }
}

/// Trains `settings` on `device` (autodiff switched on here) and records what it computed.
pub fn trace(device: &Device, settings: &CheckSettings) -> Trace {
    let device = device.clone().autodiff();
    let config = ModelConfig::from_shape(&settings.shape);
    let mut model: Model = config.init(&device, settings.seed);
    let mut optim = optim::optimizer(&model);
    let first = windows(settings, 0, &device);
    let [b, w] = first.dims();
    let logits = values(model.forward(first.slice(s![0..b, 0..w - 1])).detach());
    let (mut losses, mut grads) = (Vec::new(), Vec::new());
    for step in 0..settings.steps {
        let objective = model.lm_loss(windows(settings, step, &device)).objective(Z_LOSS);
        losses.push(objective.clone().into_scalar::<f32>() as f64);
        let mut g = GradientsParams::from_grads(objective.backward(), &model);
        let mut collect = Collect { grads: Some(&g), out: Vec::new() };
        model.visit(&mut collect);
        grads.push(collect.out);
        let (clipped, _) = optim::clip_global_norm(model, &mut g, optim::CLIP_NORM);
        model = optim.step(settings.lr, clipped, g);
    }
    let mut collect = Collect { grads: None, out: Vec::new() };
    model.visit(&mut collect);
    Trace { logits, losses, grads, weights: collect.out }
}

fn difference(quantity: &'static str, step: usize, a: &[Vec<f32>], b: &[Vec<f32>]) -> Difference {
    let (mut max_abs, mut scale, mut elements) = (0.0f64, 0.0f64, 0);
    for (x, y) in a.iter().zip(b) {
        for (&p, &q) in x.iter().zip(y) {
            let diff = (p as f64 - q as f64).abs();
            // A value that is not finite on one side only is the largest difference there is.
            max_abs = max_abs.max(if diff.is_nan() && !(p.is_nan() && q.is_nan()) { f64::INFINITY } else { diff });
            scale = scale.max((p as f64).abs());
            elements += 1;
        }
        if x.len() != y.len() {
            max_abs = f64::INFINITY;
        }
    }
    Difference { quantity, step, elements, max_abs, scale }
}

/// How device B's trace differs from device A's: the logits, each step's loss and gradients, the
/// final weights.
pub fn compare(a: &Trace, b: &Trace) -> Vec<Difference> {
    let mut out = vec![difference("logits", 0, std::slice::from_ref(&a.logits), std::slice::from_ref(&b.logits))];
    for (step, (la, lb)) in a.losses.iter().zip(&b.losses).enumerate() {
        let one = |x: f64| vec![vec![x as f32]];
        out.push(difference("loss", step, &one(*la), &one(*lb)));
    }
    for (step, (ga, gb)) in a.grads.iter().zip(&b.grads).enumerate() {
        out.push(difference("grads", step, ga, gb));
    }
    out.push(difference("weights", a.losses.len().saturating_sub(1), &a.weights, &b.weights));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CheckSettings {
        let shape = ModelShape { d_model: 16, n_layers: 2, n_heads: 2, mlp_inner: 64, vocab: 64, seq_len: 8 };
        CheckSettings { shape, batch: 2, steps: 3, seed: 7, lr: 1e-2 }
    }

    #[test]
    fn a_device_matches_itself_and_a_changed_weight_shows() {
        let s = settings();
        let a = trace(&Device::flex(), &s);
        assert_eq!((a.losses.len(), a.grads.len()), (3, 3));
        assert!(a.losses.iter().all(|l| l.is_finite() && *l > 0.0));
        assert!(a.grads[0].iter().any(|g| g.iter().any(|x| *x != 0.0)));
        let again = compare(&a, &trace(&Device::flex(), &s));
        assert!(again.iter().all(|d| d.max_abs == 0.0), "{again:?}");
        // Another seed: every quantity differs.
        let other = compare(&a, &trace(&Device::flex(), &CheckSettings { seed: 8, ..s }));
        assert!(other.iter().all(|d| d.relative() > 1e-3), "{other:?}");
    }
}
