//! Two steps through compute: step 1 C → feature, step 2 feature → accuracy (method.md §7).

use ladder_core::{Ladder, Task};

use super::two_step::TwoStepParams;
use super::{chained, parse_params, stage, Design, DesignKind, FittedDesign};
use crate::law::FlopsPowerLaw;
use crate::law::Law;
use crate::predict::{FlopsStep1, Result, Step2};

/// Two-step prediction with a power law in compute C = D × FLOPs per token.
#[derive(Debug, Clone, PartialEq)]
pub struct FlopsTwoStep {
    /// Design name.
    pub name: String,
    /// Step 1 in compute.
    pub step1: FlopsStep1,
    /// Step 2.
    pub step2: Step2,
}

pub(super) const KIND: DesignKind = DesignKind {
    kind: "flops_two_step",
    about: "step 1 C = D x FLOPs/token -> feature, step 2 feature -> accuracy (same keys as two_step)",
    build: |name, params| {
        let (feature, step1, step2) = parse_params::<TwoStepParams>(name, params)?.stages(name)?;
        let step1 = FlopsStep1 { feature, moving_avg: step1.moving_avg, fit: step1.fit };
        Ok(Box::new(FlopsTwoStep { name: name.to_string(), step1, step2 }))
    },
};

impl Design for FlopsTwoStep {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        KIND.kind
    }
    fn intermediate(&self) -> Option<ladder_core::Feature> {
        Some(self.step1.feature)
    }
    fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FittedDesign> {
        let s1 = self.step1.fit(ladder, task)?;
        let s2 = self.step2.fit(ladder, task)?;
        Ok(chained(stage("step 1", &FlopsPowerLaw, &s1.fit), |p, t| FlopsPowerLaw.value(p, &[t.c]), s2))
    }
}
