//! `--device NAME` → a burn device. The only place that names a backend.

use burn::prelude::Device;

/// Names `--device` accepts in this build.
pub fn available() -> Vec<&'static str> {
    let mut names = vec!["flex"];
    if cfg!(feature = "vulkan") {
        names.push("vulkan");
    }
    if cfg!(feature = "wgpu") {
        names.push("wgpu");
    }
    if cfg!(feature = "cuda") {
        names.push("cuda");
    }
    names
}

/// The device of a name with a float precision: `f32`, or `bf16` for every tensor (parameters,
/// activations and optimizer moments alike: burn 0.22 has no mixed precision with f32 master
/// weights), refused with the backend's reason where the device does not support it.
pub fn with_precision(name: &str, precision: &str) -> anyhow::Result<Device> {
    let mut device = parse(name)?;
    match precision {
        "f32" => {}
        "bf16" => device.configure(burn::tensor::FloatDType::BF16).map_err(|e| anyhow::anyhow!("device {name} cannot run in bf16: {e:?}"))?,
        other => anyhow::bail!("precision {other:?}: expected f32 or bf16"),
    }
    Ok(device)
}

/// The device of a name: `flex` (CPU), or a GPU backend compiled in by a cargo feature.
pub fn parse(name: &str) -> anyhow::Result<Device> {
    match name {
        "flex" | "cpu" => Ok(Device::flex()),
        #[cfg(feature = "vulkan")]
        "vulkan" => Ok(Device::vulkan(burn::tensor::DeviceKind::DiscreteGpu(0))),
        #[cfg(feature = "wgpu")]
        "wgpu" => Ok(Device::wgpu(burn::tensor::DeviceKind::DiscreteGpu(0))),
        #[cfg(feature = "cuda")]
        "cuda" => Ok(Device::cuda(0)),
        other => anyhow::bail!("device {other:?} is not in this build; available: {} (GPU backends are cargo features of ladder-cli: vulkan, wgpu, cuda)", available().join(", ")),
    }
}
