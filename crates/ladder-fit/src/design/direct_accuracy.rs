//! Step 1 fitted on accuracy directly: Acc(N, D) = E − A/N^α − B/D^β (the paper's `-y rc_acc`).

use ladder_core::{Feature, Ladder, Task};

use super::{parse_params, settings, stage, Design, DesignKind, FinalPointParams, FittedDesign, Prediction};
use crate::fitter::FitSettings;
use crate::law::Law;
use crate::predict::{Result, Step1};

/// The direct-accuracy design.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectAccuracy {
    /// Design name.
    pub name: String,
    /// Step 1 on RC accuracy (negated power law).
    pub step1: Step1,
}

pub(super) const KIND: DesignKind = DesignKind {
    kind: "direct_accuracy",
    about: "step 1 fitted on accuracy: Acc = E - A/N^a - B/D^b",
    build: |name, params| {
        let p: FinalPointParams = parse_params(name, params)?;
        let step1 = Step1 { feature: Feature::RcAcc, moving_avg: p.moving_avg, fit: settings(name, p.fit, FitSettings::step1())? };
        Ok(Box::new(DirectAccuracy { name: name.to_string(), step1 }))
    },
};

impl Design for DirectAccuracy {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        KIND.kind
    }
    fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FittedDesign> {
        let s1 = self.step1.fit(ladder, task)?;
        let stages = vec![stage("step 1", &s1.law, &s1.fit)];
        let law = s1.law;
        Ok(FittedDesign::new(stages, move |p, t| Prediction { accuracy: law.value(p[0], &[t.n, t.d]), feature: None }))
    }
}
