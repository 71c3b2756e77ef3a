//! Single step: (N, D) → accuracy directly (method.md §6).

use ladder_core::{Ladder, Task};

use super::{parse_params, settings, stage, Design, DesignKind, FinalPointParams, FittedDesign, Prediction};
use crate::law::Law;
use crate::law::SingleStepLaw;
use crate::predict::{Result, SingleStep};

/// The single-step design.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleStepDesign {
    /// Design name.
    pub name: String,
    /// The recipe.
    pub recipe: SingleStep,
}

pub(super) const KIND: DesignKind = DesignKind {
    kind: "single_step",
    about: "accuracy = p * sigmoid(A/N^a + B/D^b + E) + q fitted to final checkpoints, multi-start",
    build: |name, params| {
        let p: FinalPointParams = parse_params(name, params)?;
        Ok(Box::new(SingleStepDesign {
            name: name.to_string(),
            recipe: SingleStep { moving_avg: p.moving_avg, fit: settings(name, p.fit, SingleStep::paper().fit)? },
        }))
    },
};

impl Design for SingleStepDesign {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        KIND.kind
    }
    fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FittedDesign> {
        let fit = self.recipe.fit(ladder, task)?;
        let stages = vec![stage("single step", &SingleStepLaw, &fit.fit)];
        Ok(FittedDesign::new(stages, move |p, t| Prediction { accuracy: SingleStepLaw.value(p[0], &[t.n, t.d]), feature: None }))
    }
}
