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
