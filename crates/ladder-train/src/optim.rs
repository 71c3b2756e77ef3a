//! The optimizer of §2.4: AdamW with PyTorch semantics, decay groups and global-norm clipping.

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamGroup};
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use ladder_model::Model;

/// Weight decay of every parameter but the input embedding.
pub const WEIGHT_DECAY: f32 = 0.1;
/// Clip the global gradient norm to this.
pub const CLIP_NORM: f64 = 1.0;

fn adamw(weight_decay: f32) -> AdamWConfig {
    AdamWConfig::new().with_beta_1(0.9).with_beta_2(0.95).with_epsilon(1e-8).with_weight_decay(weight_decay)
}

/// AdamW (β 0.9/0.95, ε 1e-8, decoupled decay 0.1·lr) for all parameters, with a second group
/// without decay for the input embedding. Clipping is done by [`clip_global_norm`], not by burn
/// (whose `GradientClipping::Norm` clips each tensor on its own).
pub fn optimizer(model: &Model) -> ModuleOptimizer {
    adamw(WEIGHT_DECAY).init().with_group(ParamGroup::ids_from_module(model.embedding.clone()), adamw(0.0).build(), None)
}

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let s = g.cast(burn::tensor::DType::F32).powi_scalar(2).sum();
            self.total = Some(match self.total.take() {
                Some(t) => t + s,
                None => s,
            });
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: f64,
}

impl ModuleMapper for Scale<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            self.grads.register::<D>(param.id, g.mul_scalar(self.factor));
        }
        param
    }
}

/// Scale all gradients by min(1, max_norm / (‖g‖ + 1e-6)) with ‖g‖ the L2 norm over every
/// parameter's gradient (PyTorch's `clip_grad_norm_`); returns ‖g‖ before clipping.
pub fn clip_global_norm(model: Model, grads: &mut GradientsParams, max_norm: f64) -> (Model, f64) {
    let mut visitor = SquaredNorm { grads, total: None };
    model.visit(&mut visitor);
    let norm = visitor.total.map(|t| (t.into_scalar::<f32>() as f64).sqrt()).unwrap_or(0.0);
    let factor = max_norm / (norm + 1e-6);
    let model = if factor < 1.0 { model.map(&mut Scale { grads, factor }) } else { model };
    (model, norm)
}
