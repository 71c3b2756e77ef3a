//! The GPU code path without a GPU: burn's wgpu backend (cubecl's WGSL kernels, run by wgpu's
//! OpenGL ES backend through EGL on Mesa's llvmpipe software driver) trains the same tiny model
//! as flex from the same weights and batches, and every logit, loss, gradient and final weight
//! agrees within 1e-4 of the largest value (measured: ~2e-5 after three steps). Built only with
//! `--features wgpu`; `.ci/run` runs it (`--device wgpu:cpu` picks the software adapter).
#![cfg(feature = "wgpu")]

use std::process::Command;

#[test]
fn wgpu_on_a_software_driver_trains_like_flex() {
    let csv = std::env::temp_dir().join(format!("ladder-software-gpu-{}.csv", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["check-device", "--device", "wgpu:cpu", "--against", "flex", "--tolerance", "1e-4", "--csv"])
        .arg(&csv)
        .output()
        .expect("run ladder");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let quantity = |r: &Vec<&str>| r[3].to_string();
    assert_eq!(rows.iter().map(quantity).collect::<Vec<_>>(), ["logits", "loss", "loss", "loss", "grads", "grads", "grads", "weights"]);
    let relative: Vec<f64> = rows.iter().map(|r| r[8].parse().unwrap()).collect();
    assert!(relative.iter().all(|&r| r <= 1e-4), "{stdout}");
    // Another code path ran: its kernels sum in another order than flex's, so the logits differ
    // in the last bits (a silent fallback to the CPU backend would match to the bit).
    assert!(rows[0][6].parse::<f64>().unwrap() > 0.0, "wgpu:cpu gave flex's logits to the bit: did it run at all?\n{stdout}");
    let _ = std::fs::remove_file(&csv);
}
